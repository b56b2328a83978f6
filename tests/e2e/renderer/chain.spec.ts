/** The live log's filters, an invoice's chain, replay, and the Pix QR code, on a real run. */
import { readFileSync } from 'node:fs'
import type { Page } from '@playwright/test'
import { decodeQrPng, readPdf, squash } from '../../helpers/documents'
import { expect, startShortRun, test, type Engine, waitForLine } from './fixtures'

test.use({ speed: '1440', engineArgs: ['--seed', '41'] })
test.setTimeout(120_000)

/** Runs a short plan to completion and returns an invoice that was credited and paid out. */
async function creditedInvoice(app: Page, engine: Engine): Promise<string> {
  await startShortRun(app, { batches: 2, every: 60, settle: 60 })
  await expect(app.getByTestId('run-state')).toHaveText('Complete', { timeout: 90_000 })
  const sent = await waitForLine(engine, (l) => l.type === 'transfer.sent')
  return String(sent.invoiceId)
}

test('When kind chips and text are used, Then the log shows only what matches', async ({
  app,
  engine
}) => {
  const invoiceId = await creditedInvoice(app, engine)
  const log = app.getByRole('log', { name: 'Live log' })
  // Late events keep arriving after the run completes: counts are compared at the same moment.
  const total = (): string =>
    engine.lines.filter((l) => typeof l.seq === 'number').length.toLocaleString('en')
  const transfers = (): number =>
    engine.lines.filter(
      (l) =>
        typeof l.type === 'string' && /^transfer\.(intent|sent|status|retry|skipped)$/.test(l.type)
    ).length

  await app.getByRole('button', { name: 'Transfers', exact: true }).click()
  await expect(app.getByRole('button', { name: 'Transfers', exact: true })).toHaveAttribute(
    'aria-pressed',
    'true'
  )
  await expect
    .poll(
      async () =>
        (await app.getByTestId('log-count').textContent()) ===
        `${transfers()} of ${total()} entries`
    )
    .toBe(true)
  const kinds = await log
    .locator('.log-row')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-kind')))
  expect(kinds.length).toBeGreaterThan(0)
  expect(new Set(kinds)).toEqual(new Set(['transfers']))

  await app.getByRole('button', { name: 'Transfers', exact: true }).click()
  await app.getByRole('searchbox', { name: 'Filter' }).fill(invoiceId)
  const rows = log.locator('.log-row')
  await expect(rows.first()).toBeVisible()
  for (const text of await rows.allInnerTexts()) expect(text).toContain(invoiceId)
  await app.getByRole('button', { name: 'Clear filter', exact: true }).click()
  await expect
    .poll(async () => (await app.getByTestId('log-count').textContent()) === `${total()} entries`)
    .toBe(true)
})

test('When a credited invoice is opened, Then its chain shows the webhook, the signature verdict and its transfer; a replay is a duplicate with no second transfer', async ({
  app,
  engine
}) => {
  const invoiceId = await creditedInvoice(app, engine)
  await app.getByRole('tab', { name: /Invoices/ }).click()
  await app.getByRole('button', { name: invoiceId, exact: true }).click()
  const detail = app.getByRole('complementary', { name: `Invoice ${invoiceId}` })
  await expect(detail).toBeVisible()

  const credited = detail.locator('li.event').filter({ hasText: 'invoice credited' }).first()
  await expect(credited).toContainText('Source')
  await expect(credited).toContainText(/webhook|catch-up/)
  await expect(credited).toContainText('Signature')
  await expect(credited).toContainText('valid (checked on the raw bytes')
  await expect(credited).toContainText('Our answer')
  await expect(detail.getByTestId('transfer-status')).toHaveText('success')
  await expect(detail.locator('.transfer-steps')).toContainText('accepted by Stark')

  const sentBefore = engine.lines.filter(
    (l) => l.type === 'transfer.sent' && l.invoiceId === invoiceId
  ).length
  expect(sentBefore).toBe(1)
  await credited.getByRole('button', { name: 'Replay event', exact: true }).click()
  await expect(credited.getByRole('status')).toContainText('duplicate')
  const replayed = await waitForLine(
    engine,
    (l) => l.type === 'event.received' && l.source === 'replay'
  )
  expect(replayed.verdict).toBe('duplicate')
  await expect(detail.locator('li.event[data-source="replay"]')).toHaveCount(1, { timeout: 10_000 })
  expect(
    engine.lines.filter((l) => l.type === 'transfer.sent' && l.invoiceId === invoiceId)
  ).toHaveLength(1)
  expect(
    engine.lines.filter((l) => l.type === 'transfer.intent' && l.invoiceId === invoiceId)
  ).toHaveLength(1)
})

test('When an invoice is opened, Then its Pix QR code renders and its PDF opens', async ({
  app,
  engine
}) => {
  await startShortRun(app, { batches: 1, every: 60 })
  const created = await waitForLine(engine, (l) => l.type === 'invoice.created')
  const invoiceId = String(created.invoiceId)
  await app.getByRole('tab', { name: /Invoices/ }).click()
  await app.getByRole('button', { name: invoiceId, exact: true }).click()
  const qr = app.getByRole('img', { name: `Pix QR code of invoice ${invoiceId}` })
  await expect(qr).toBeVisible({ timeout: 15_000 })
  await expect(qr).toHaveJSProperty('complete', true)
  // The image the page shows (drawn at 144 px, too small to scan from a screenshot) is a square
  // QR code of a Pix BR Code: an EMV payload starts with 000201.
  const src = (await qr.getAttribute('src')) ?? ''
  expect(src).toMatch(/^data:image\/png;base64,/)
  const shown = decodeQrPng(Buffer.from(src.replace(/^data:image\/png;base64,/, ''), 'base64'))
  expect(shown.width).toBe(shown.height)
  expect(shown.text).toMatch(/^000201/)

  const download = app.waitForEvent('download')
  await app.getByRole('button', { name: 'Open PDF', exact: true }).click()
  const pdf = await download
  expect(pdf.suggestedFilename()).toBe(`invoice-${invoiceId}.pdf`)
  const read = await readPdf(readFileSync((await pdf.path())!))
  expect(read.title).toBe(`Fatura Pix ${invoiceId}`)
  expect(squash(read.text)).toContain(invoiceId)
})
