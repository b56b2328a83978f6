/** What a new user found (issue 8), on the real engine: layout at common sizes, and a lost engine. */
import { expect, startShortRun, test } from './fixtures'

test.use({ speed: 'max', engineArgs: ['--seed', '41'] })
test.setTimeout(90_000)

const overflow = (el: { scrollHeight: number; clientHeight: number }): number =>
  el.scrollHeight - el.clientHeight
const sideOverflow = (el: { scrollWidth: number; clientWidth: number }): number =>
  el.scrollWidth - el.clientWidth

test('When a run is over at 1280x800, Then the stage, the invoices table and a 1024 px header all fit', async ({
  app
}) => {
  const exportRun = app.getByRole('button', { name: 'Export run', exact: true })
  await expect(exportRun).toHaveAttribute('aria-disabled', 'true')
  await expect(exportRun).toHaveAttribute('title', /no run/)
  await expect(app.getByTestId('run-invite')).toContainText('Start run')

  await startShortRun(app, { batches: 3, every: 60, fewest: 8, most: 12, settle: 60 })
  await expect(app.getByTestId('run-state')).toHaveText('Complete', { timeout: 60_000 })
  await expect(app.getByText(/^Run \w+ started:/)).toHaveCount(0)
  expect(await app.locator('main.stage').evaluate(overflow)).toBeLessThanOrEqual(0)

  await app.getByRole('tab', { name: /Invoices/ }).click()
  expect(await app.locator('.table-scroll').evaluate(sideOverflow)).toBeLessThanOrEqual(0)

  await app.setViewportSize({ width: 1024, height: 700 })
  const brand = await app.getByRole('heading', { level: 1 }).boundingBox()
  const theme = await app.getByRole('combobox', { name: 'Theme' }).boundingBox()
  // One row: the theme picker sits beside the title, not under it.
  expect(theme!.y).toBeLessThan(brand!.y + brand!.height)
})

test('When the engine goes away, Then the header says Unreachable, what to do, and its clock stops', async ({
  app,
  engine
}) => {
  await expect(app.getByTestId('stark-time')).not.toHaveText('—')
  await engine.stop()
  await expect(app.getByTestId('runtime-phase')).toHaveText('Unreachable')
  await expect(app.getByTestId('webhook-state')).toHaveText('—')
  await expect(app.getByTestId('stark-time')).toHaveText('—')
  await expect(app.getByRole('alert')).toContainText('Restart the engine')
})
