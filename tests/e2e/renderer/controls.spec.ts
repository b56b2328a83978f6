/** One click, the keyboard, and accessible names, on the real engine. */
import { expect, startShortRun, test, waitForLine } from './fixtures'

test.use({ speed: '60', engineArgs: ['--seed', '31'] })
test.setTimeout(90_000)

test('When One invoice now is clicked with a name and an amount, Then the invoice appears in the log and the table', async ({
  app,
  engine
}) => {
  await startShortRun(app, { batches: 2, every: 180 })
  await app.getByRole('textbox', { name: 'Payer name' }).fill('Ada Lovelace')
  await app.getByRole('textbox', { name: 'Amount' }).fill('123,45')
  await app.getByRole('button', { name: 'One invoice now', exact: true }).click()
  const created = (await waitForLine(
    engine,
    (l) => l.type === 'invoice.created' && l.name === 'Ada Lovelace'
  )) as {
    invoiceId: string
    amount: number
  }
  expect(created.amount).toBe(12_345)
  await expect(
    app.getByRole('status').filter({ hasText: `Invoice ${created.invoiceId} issued` })
  ).toBeVisible()
  await expect(
    app
      .getByRole('log', { name: 'Live log' })
      .getByText(`invoice ${created.invoiceId}: R$ 123,45 to Ada Lovelace`)
  ).toBeVisible()
  await app.getByRole('tab', { name: /Invoices/ }).click()
  const row = app.locator(`tr[data-invoice="${created.invoiceId}"]`)
  await expect(row).toContainText('Ada Lovelace')
  await expect(row).toContainText('R$ 123,45')
})

test('When the main controls are used from the keyboard alone, Then the run starts, an invoice is issued and its chain opens and closes', async ({
  app,
  engine
}) => {
  const start = app.getByRole('button', { name: 'Start run', exact: true })
  await app.getByRole('textbox', { name: 'Settle after last batch' }).focus()
  await app.keyboard.press('Tab')
  await expect(start).toBeFocused()
  await app.keyboard.press('Enter')
  await expect(app.getByTestId('run-state')).toHaveText('Running')

  // Tab order: the run's controls come first, then the one-click form.
  await app.getByRole('button', { name: 'Pause', exact: true }).focus()
  await app.keyboard.press('Tab')
  await expect(app.getByRole('button', { name: 'Next batch now', exact: true })).toBeFocused()
  const oneClick = app.getByRole('button', { name: 'One invoice now', exact: true })
  const focusedText = (): Promise<unknown> => app.evaluate('document.activeElement?.textContent')
  for (let i = 0; i < 12 && (await focusedText()) !== 'One invoice now'; i++) {
    await app.keyboard.press('Tab')
  }
  await expect(oneClick).toBeFocused()
  await app.keyboard.press('Space')
  await waitForLine(engine, (l) => l.type === 'invoice.created' && l.batch === 'm1')

  // The log is one tab stop; End goes to the newest row, Enter opens its chain, Escape closes it.
  const log = app.getByRole('log', { name: 'Live log' })
  await log.locator('[tabindex="0"]').focus()
  await app.keyboard.press('Home')
  await app.keyboard.press('ArrowDown')
  await app.keyboard.press('ArrowDown')
  const focused = app.locator('.log-row:focus')
  await expect(focused).toHaveAttribute('data-seq', '3')
  await app.keyboard.press('Enter')
  const detail = app.getByRole('complementary')
  await expect(detail).toBeVisible()
  await expect(app.getByRole('heading', { level: 2, name: /^(Invoice|Entry)/ })).toBeFocused()
  await app.keyboard.press('Escape')
  await expect(detail).toBeHidden()
  await expect(app.locator('.log-row[data-seq="3"]')).toBeFocused()
})

test('When the window is read by role, Then every main control is found by its visible label', async ({
  app
}) => {
  await startShortRun(app, { batches: 2, every: 180 })
  for (const name of [
    'Pause',
    'Next batch now',
    'Stop run',
    'One invoice now',
    'Export run',
    'Advance clock',
    'Set speed',
    'Runs',
    'Invoices',
    'Events',
    'Transfers',
    'Rejected deliveries',
    'Errors',
    '1×',
    '60×',
    '1440×',
    'Max'
  ]) {
    const control = app.getByRole('button', { name, exact: true })
    await expect(control, name).toBeVisible()
    expect((await control.innerText()).trim(), name).toBe(name)
  }
  for (const name of ['Payer name', 'Amount', 'Filter', 'Custom speed', 'Skip ahead']) {
    await expect(
      app.getByRole(name === 'Filter' ? 'searchbox' : 'textbox', { name, exact: true }),
      name
    ).toBeVisible()
  }
  await expect(app.getByRole('combobox', { name: 'Theme' })).toBeVisible()
  await expect(app.getByRole('checkbox', { name: /^Duplicate deliveries/ })).toBeVisible()
  await expect(app.getByRole('log', { name: 'Live log' })).toBeVisible()
  await expect(app.getByRole('tab', { name: 'Live log' })).toHaveAttribute('aria-selected', 'true')
  // A failed operation says what to do next to its button, and nothing is busy afterwards.
  await app.getByRole('button', { name: 'Stop run', exact: true }).click()
  await expect(app.getByTestId('run-state')).toHaveText('Stopped')
  await expect(app.getByTestId('countdown')).toContainText(/Run stopped after \d of 2 batches/)
  await app.getByRole('button', { name: 'One invoice now', exact: true }).click()
  const error = app.locator('[data-error-for="run:one-invoice"]')
  await expect(error).toContainText(/Start a new run/)
  await expect(app.getByRole('button', { name: 'One invoice now', exact: true })).toHaveAttribute(
    'aria-busy',
    'false'
  )
})
