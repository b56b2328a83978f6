/**
 * The run, driven from the window against the real engine and emulator: a whole trial run at the
 * highest speed, and pause / resume.
 */
import { expect, startShortRun, test, tileCents, tileCount, waitForLine } from './fixtures'

const starkTimeOf = async (page: import('@playwright/test').Page): Promise<number> =>
  Date.parse(
    ((await page.getByTestId('stark-time').textContent()) ?? '')
      .replace(' UTC', 'Z')
      .replace(' ', 'T')
  )

test.describe('a whole run', () => {
  test.use({ speed: '50000', engineArgs: ['--seed', '21'] })
  test.setTimeout(240_000)

  test("When the trial's plan runs at full speed, Then it completes and the totals equal the CLI's summary", async ({
    app,
    engine
  }) => {
    await app.getByRole('button', { name: 'Start run', exact: true }).click()
    await expect(app.getByTestId('run-state')).toHaveText('Complete', { timeout: 200_000 })
    const summary = (await waitForLine(engine, (l) => l.type === 'summary', 60_000)) as Record<
      string,
      number
    >
    await expect(app.getByTestId('batch-progress')).toHaveText(
      `Batch ${summary.batches} of ${summary.batches}`
    )
    await expect.poll(() => tileCents(app, 'transferred')).toBe(summary.transferredAmount)
    expect(await tileCents(app, 'invoiced')).toBe(summary.invoicedAmount)
    expect(await tileCount(app, 'invoiced')).toBe(summary.invoices)
    expect(await tileCents(app, 'credited')).toBe(summary.creditedAmount)
    expect(await tileCount(app, 'credited')).toBe(summary.credited)
    expect(await tileCents(app, 'fees')).toBe(summary.fees)
    expect(await tileCount(app, 'transferred')).toBe(summary.transfersSucceeded)
    expect(await tileCount(app, 'paid')).toBe(summary.paid)
    expect(await tileCount(app, 'failed')).toBe(summary.transfersFailed)
    // The log holds every entry the engine printed (the CLI's JSON lines are the same journal);
    // late events keep both growing, so they are compared at the same moment.
    const printed = (): number => engine.lines.filter((l) => typeof l.seq === 'number').length
    await expect
      .poll(
        async () =>
          (await app.getByTestId('log-count').textContent()) ===
          `${printed().toLocaleString('en')} entries`
      )
      .toBe(true)
  })
})

test.describe('pause and resume', () => {
  test.use({ speed: '1440', engineArgs: ['--seed', '22'] })
  test.setTimeout(90_000)

  test('When the run is paused, Then no batch comes due; on resume the missed ones are issued, late', async ({
    app,
    engine
  }) => {
    // Ten hours between batches (25 s of wall time at 1440x): the pause lands before batch 2.
    await startShortRun(app, { batches: 3, every: 600, settle: 30 })
    await expect(app.getByTestId('batch-progress')).toHaveText('Batch 1 of 3')
    await app.getByRole('button', { name: 'Pause', exact: true }).click()
    await expect(app.getByTestId('run-state')).toHaveText('Paused')
    const started = (await waitForLine(engine, (l) => l.type === 'run.started')) as {
      startedAt: number
    }

    // Skip Stark's clock past both remaining batches' due times (10 h and 20 h).
    await app.getByRole('textbox', { name: 'Skip ahead' }).fill('1300')
    await app.getByRole('button', { name: 'Advance clock', exact: true }).click()
    await expect
      .poll(() => starkTimeOf(app), { timeout: 20_000 })
      .toBeGreaterThan(started.startedAt + 21 * 3_600_000)
    await expect(app.getByTestId('batch-progress')).toHaveText('Batch 1 of 3')
    expect(engine.lines.filter((l) => l.type === 'batch.issuing' && l.batch !== 'b0')).toHaveLength(
      0
    )

    await app.getByRole('button', { name: 'Resume', exact: true }).click()
    await expect(app.getByTestId('batch-progress')).toHaveText('Batch 3 of 3', { timeout: 30_000 })
    const late = engine.lines
      .filter((l) => l.type === 'batch.issuing' && l.late === true)
      .map((l) => l.batch)
    expect(late.sort()).toEqual(['b1', 'b2'])
  })
})
