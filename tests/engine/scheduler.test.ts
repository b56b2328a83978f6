/**
 * The run scheduler on a manual clock (speed 0), through the facade, against the emulator with the
 * real SDK: batch k is issued at exactly start + k × 3 h with its persisted size, the run stops after
 * 8 batches, pause and downtime turn due batches into late ones issued once, and the schedule of the
 * following batches never shifts.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { batchTag, runTag } from '../../src/main/engine/tags'
import { startEngineEnv, type EngineEnv, type EngineEnvOptions } from '../helpers/engine-env'
import {
  advanceBy,
  advanceTo,
  HOUR,
  invoicesAtStark,
  ofType,
  plannedIssuing
} from '../helpers/engine-steps'

const INTERVAL = 3 * HOUR
/** No payments: these tests are about batches, and fewer events keep them quick. */
const NO_PAYMENTS = { behaviour: { autoPayRatio: 0 } }

let env: EngineEnv | undefined
afterEach(async () => {
  await env?.cleanup()
  env = undefined
})

async function startRun(
  options: EngineEnvOptions = NO_PAYMENTS
): Promise<{ e: EngineEnv; runId: string; start: number }> {
  env = await startEngineEnv(options)
  const { runId } = await env.sim.startRun()
  return { e: env, runId, start: env.sim.snapshot().run!.startedAt }
}

const timing = (e: EngineEnv): { batch: string; at: number; dueAt: number; late: boolean }[] =>
  plannedIssuing(e).map(({ batch, at, dueAt, late }) => ({ batch, at, dueAt, late }))

describe('run schedule', () => {
  it('When a default run starts, Then batch k is issued at exactly start + k×3h with its planned size, never a second early, and no ninth batch follows', async () => {
    // Arrange
    const { e, runId, start } = await startRun()
    const sizes = e.sim.snapshot().run!.sizes
    expect(sizes).toHaveLength(8)
    for (const size of sizes) expect(size).toBeGreaterThanOrEqual(8)
    for (const size of sizes) expect(size).toBeLessThanOrEqual(12)

    // Act and Assert: one second before each batch nothing new; at its time, exactly one more
    for (let k = 1; k < 8; k++) {
      await advanceTo(e, start + k * INTERVAL - 1000)
      expect(plannedIssuing(e)).toHaveLength(k)
      await advanceTo(e, start + k * INTERVAL)
      expect(plannedIssuing(e)).toHaveLength(k + 1)
    }
    await advanceBy(e, 30 * HOUR)

    // Assert
    const expected = sizes.map((_, k) => {
      const due = start + k * INTERVAL
      return { batch: `b${k}`, at: due, dueAt: due, late: false }
    })
    expect(timing(e)).toEqual(expected)
    expect(plannedIssuing(e).map((b) => b.count)).toEqual(sizes)
    expect(ofType(e.entries, 'batch.issued').map((b) => b.invoiceIds.length)).toEqual(sizes)
    for (let k = 0; k < 8; k++)
      expect(await invoicesAtStark(e.stark, batchTag(runId, `b${k}`))).toBe(sizes[k])
    const total = sizes.reduce((a, b) => a + b, 0)
    expect(await invoicesAtStark(e.stark, runTag(runId))).toBe(total)
    expect(e.sim.snapshot().run).toMatchObject({ batchesIssued: 8, nextBatchAt: null })
  }, 60_000)

  it('When the last batch is out and the settle window passes, Then run.completed is recorded once, with every credit transferred', async () => {
    // Arrange
    const { e, start } = await startRun({ behaviour: { autoPayRatio: 0.8 } })
    const settleAt = start + 7 * INTERVAL + 2 * HOUR

    // Act
    await advanceTo(e, settleAt - 1000)
    const before = ofType(e.entries, 'run.completed').length
    await advanceTo(e, settleAt)
    await advanceBy(e, 10 * HOUR)

    // Assert
    expect(before).toBe(0)
    const completed = ofType(e.entries, 'run.completed')
    expect(completed).toHaveLength(1)
    expect(completed[0]!.at).toBe(settleAt)
    const snapshot = e.sim.snapshot()
    const credited = snapshot.invoices.filter((i) => i.credit)
    expect(credited.length).toBeGreaterThan(0)
    for (const invoice of credited) expect(invoice.transfer?.status).toBe('success')
    expect(snapshot.run).toMatchObject({ completed: true, batchesIssued: 8 })
    expect(plannedIssuing(e)).toHaveLength(8)
    expect((await e.sim.verify()).problems).toEqual([])
  }, 60_000)

  it('When a batch comes due while paused, Then it is issued late at resume and the next batch keeps its time', async () => {
    // Arrange
    const { e, start } = await startRun()
    await advanceTo(e, start + HOUR)

    // Act
    await e.sim.pause()
    await advanceTo(e, start + 4 * HOUR)
    const whilePaused = plannedIssuing(e).length
    const paused = e.sim.snapshot().run!.paused
    await e.sim.resume()
    await e.sim.idle()
    const afterResume = timing(e)
    await advanceTo(e, start + 2 * INTERVAL - 1000)
    const secondBefore = plannedIssuing(e).length
    await advanceTo(e, start + 2 * INTERVAL)

    // Assert
    expect(whilePaused).toBe(1)
    expect(paused).toBe(true)
    expect(afterResume[1]).toEqual({
      batch: 'b1',
      at: start + 4 * HOUR,
      dueAt: start + INTERVAL,
      late: true
    })
    expect(secondBefore).toBe(2)
    expect(timing(e)[2]).toEqual({
      batch: 'b2',
      at: start + 2 * INTERVAL,
      dueAt: start + 2 * INTERVAL,
      late: false
    })
    expect(ofType(e.entries, 'batch.issued').map((b) => [b.batch, b.late])).toEqual([
      ['b0', false],
      ['b1', true],
      ['b2', false]
    ])
  })

  it('When the engine restarts while paused with a batch due, Then it stays paused and issues nothing', async () => {
    // Arrange
    const { e, start } = await startRun()
    await e.sim.pause()
    await advanceTo(e, start + 4 * HOUR)

    // Act
    await e.restart()
    await advanceTo(e, start + 2 * INTERVAL)

    // Assert
    expect(e.sim.snapshot().run!.paused).toBe(true)
    expect(plannedIssuing(e)).toHaveLength(1)
  })

  it('When two batch times pass while the engine is down, Then each missed batch is issued once, late, and a further restart issues nothing', async () => {
    // Arrange
    const { e, runId, start } = await startRun({ behaviour: { autoPayRatio: 0.8 } })
    const sizes = e.sim.snapshot().run!.sizes
    await advanceTo(e, start + HOUR)
    await e.sim.stop()
    await e.emulator.clock.advance(6 * HOUR)

    // Act
    await e.restart()
    await e.sim.idle()
    const afterRestart = timing(e)
    await e.restart()
    await e.sim.idle()
    const afterSecondRestart = plannedIssuing(e).length
    await advanceTo(e, start + 3 * INTERVAL)

    // Assert
    const back = start + 7 * HOUR
    expect(afterRestart).toEqual([
      { batch: 'b0', at: start, dueAt: start, late: false },
      { batch: 'b1', at: back, dueAt: start + INTERVAL, late: true },
      { batch: 'b2', at: back, dueAt: start + 2 * INTERVAL, late: true }
    ])
    expect(afterSecondRestart).toBe(3)
    expect(timing(e)[3]).toEqual({
      batch: 'b3',
      at: start + 3 * INTERVAL,
      dueAt: start + 3 * INTERVAL,
      late: false
    })
    expect(ofType(e.entries, 'batch.issued').map((b) => [b.batch, b.late])).toEqual([
      ['b0', false],
      ['b1', true],
      ['b2', true],
      ['b3', false]
    ])
    for (let k = 0; k < 4; k++)
      expect(await invoicesAtStark(e.stark, batchTag(runId, `b${k}`))).toBe(sizes[k])
  }, 60_000)

  it('When the next batch is issued now, Then it goes out early and the following batches keep their times', async () => {
    // Arrange
    const { e, start } = await startRun()
    await advanceTo(e, start + HOUR)

    // Act
    const next = await e.sim.issueBatchNow()
    await advanceTo(e, start + 2 * INTERVAL - 1000)
    const secondBefore = plannedIssuing(e).length
    await advanceTo(e, start + 2 * INTERVAL)

    // Assert
    expect(next).toEqual({ batch: 'b1', issued: true })
    expect(secondBefore).toBe(2)
    expect(timing(e)).toEqual([
      { batch: 'b0', at: start, dueAt: start, late: false },
      { batch: 'b1', at: start + HOUR, dueAt: start + INTERVAL, late: false },
      { batch: 'b2', at: start + 2 * INTERVAL, dueAt: start + 2 * INTERVAL, late: false }
    ])
  })

  it('When "issue now" is pressed more often than there are batches, Then no ninth batch exists', async () => {
    // Arrange
    const { e, runId } = await startRun()
    const sizes = e.sim.snapshot().run!.sizes

    // Act
    const keys: (string | null)[] = []
    for (let i = 0; i < 9; i++) keys.push((await e.sim.issueBatchNow()).batch)
    await advanceBy(e, 30 * HOUR)

    // Assert
    expect(keys).toEqual(['b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7', null, null])
    expect(plannedIssuing(e)).toHaveLength(8)
    const total = sizes.reduce((a, b) => a + b, 0)
    expect(await invoicesAtStark(e.stark, runTag(runId))).toBe(total)
  }, 60_000)

  it('When the run is stopped, Then no further batch is issued, even after a restart, and the run completes', async () => {
    // Arrange
    const { e, start } = await startRun()
    await advanceTo(e, start + HOUR)

    // Act
    await e.sim.stopRun('enough for today')
    await e.restart()
    await advanceBy(e, 30 * HOUR)

    // Assert
    expect(plannedIssuing(e)).toHaveLength(1)
    expect(ofType(e.entries, 'run.stopped')).toMatchObject([{ reason: 'enough for today' }])
    expect(ofType(e.entries, 'run.completed')).toHaveLength(1)
    expect(e.sim.snapshot().run).toMatchObject({ stopped: true, nextBatchAt: null })
    expect((await e.sim.verify()).problems).toEqual([])
  }, 60_000)

  it('When the engine stops while a catch-up sweep is in flight, Then stop waits for it and the sweep ends cleanly', async () => {
    // Arrange: the next look at Stark takes a while, then fails (Stark went away meanwhile)
    let failNext = false
    const { e } = await startRun({
      ...NO_PAYMENTS,
      wrapStark: (stark) => ({
        ...stark,
        async undeliveredEvents(after) {
          if (!failNext) return stark.undeliveredEvents(after)
          await new Promise((resolve) => setTimeout(resolve, 100))
          throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
        }
      })
    })
    failNext = true

    // Act
    const sweep = e.sim.catchUp()
    await e.sim.stop()

    // Assert: the failure was journaled before the journal closed, and nothing rejects later
    await expect(sweep).resolves.toMatchObject({ complete: false })
    expect(ofType(e.entries, 'error')).toMatchObject([{ where: 'catch-up' }])
  })
})
