/** Fault injection shown in the window without a doubled transfer, and the run's export. */
import { readFileSync } from 'node:fs'
import { expect, startShortRun, test, tileCount, waitForLine } from './fixtures'

test.use({ speed: '1440', engineArgs: ['--seed', '51'] })
test.setTimeout(150_000)

test('When duplicate deliveries are on, Then duplicates show in the log and no transfer is doubled', async ({
  app,
  engine
}) => {
  const duplicates = app.getByRole('checkbox', { name: /^Duplicate deliveries/ })
  await duplicates.check()
  await expect(duplicates).toBeChecked()
  await expect(app.locator('[data-error-for="emulator:faults"]')).toHaveCount(0)
  await startShortRun(app, { batches: 2, every: 60, fewest: 3, most: 4, settle: 60 })
  await expect(app.getByTestId('run-state')).toHaveText('Complete', { timeout: 120_000 })

  await app.getByRole('button', { name: 'Events', exact: true }).click()
  await app.getByRole('searchbox', { name: 'Filter' }).fill('duplicate')
  // Late deliveries keep arriving after completion: compared at the same moment.
  const dupes = (): number =>
    engine.lines.filter(
      (l) =>
        l.type === 'event.received' &&
        (l.verdict === 'duplicate' || String(l.note ?? '').includes('duplicate'))
    ).length
  expect(dupes()).toBeGreaterThan(0)
  await expect
    .poll(async () =>
      ((await app.getByTestId('log-count').textContent()) ?? '').startsWith(`${dupes()} of`)
    )
    .toBe(true)

  const sent = engine.lines
    .filter((l) => l.type === 'transfer.sent')
    .map((l) => String(l.invoiceId))
  expect(new Set(sent).size).toBe(sent.length)
  const credited = engine.lines.filter((l) => l.type === 'invoice.credited').length
  expect(await tileCount(app, 'transferred')).toBe(credited)
  const summary = await waitForLine(engine, (l) => l.type === 'summary')
  expect(summary.problems).toEqual([])
})

test('When the run is exported from the browser, Then the downloads are a JSON and three CSVs that parse', async ({
  app,
  engine
}) => {
  await startShortRun(app, { batches: 1, every: 60, settle: 60 })
  await expect(app.getByTestId('run-state')).toHaveText('Complete', { timeout: 90_000 })
  const downloads: import('@playwright/test').Download[] = []
  app.on('download', (d) => downloads.push(d))
  await app.getByRole('button', { name: 'Export run', exact: true }).click()
  await expect(app.getByRole('status').filter({ hasText: 'Downloaded' })).toBeVisible()
  await expect.poll(() => downloads.length).toBe(4)

  const files = new Map<string, string>()
  for (const d of downloads)
    files.set(d.suggestedFilename(), readFileSync((await d.path())!, 'utf8'))
  const json = [...files].find(([name]) => name.endsWith('.json'))!
  const parsed = JSON.parse(json[1]) as { journal?: unknown[] }
  const entries = engine.lines.filter((l) => typeof l.seq === 'number').length
  expect(Array.isArray(parsed.journal) && parsed.journal.length).toBe(entries)
  const csvs = [...files].filter(([name]) => name.endsWith('.csv'))
  expect(csvs.map(([n]) => n.replace(/^.*-/, '')).sort()).toEqual([
    'events.csv',
    'invoices.csv',
    'transfers.csv'
  ])
  for (const [name, text] of csvs) {
    const rows = text.trimEnd().split('\r\n')
    expect(rows.length, name).toBeGreaterThan(1)
    const width = rows[0]!.split(',').length
    for (const row of rows)
      expect(row.split(',').length, `${name}: ${row}`).toBeGreaterThanOrEqual(width)
  }
  const invoices = engine.lines.filter((l) => l.type === 'invoice.created').length
  expect(
    csvs
      .find(([n]) => n.endsWith('invoices.csv'))![1]
      .trimEnd()
      .split('\r\n')
  ).toHaveLength(invoices + 1)
})
