/**
 * What every entry carries: a format version, the run it belongs to, Stark time and wall time,
 * computed in one place for every append.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { JournalEntry } from '../../src/shared/journal'
import { startEngineEnv, type EngineEnv } from '../helpers/engine-env'
import { advanceBy, ofType, payNow } from '../helpers/engine-steps'

let env: EngineEnv | undefined
afterEach(async () => {
  await env?.cleanup()
  env = undefined
})

describe('journal entries', () => {
  it("When an earlier run's invoice is credited during a later run, Then its event, credit and transfer entries belong to the earlier run, and every entry carries v, at and wall", async () => {
    // Arrange: wall time from an injected source, far from Stark's time
    let wall = Date.UTC(2030, 6, 1)
    env = await startEngineEnv({
      behaviour: { autoPayRatio: 0, creditDelaySeconds: [10, 10] },
      engine: { realTime: () => (wall += 1000) }
    })
    const { runId: runA } = await env.sim.startRun({ batches: 1, minInvoices: 1, maxInvoices: 1 })
    const invoiceId = env.sim.snapshot().batches[0]!.invoiceIds[0]!
    await env.sim.stopRun()
    const { runId: runB } = await env.sim.startRun({ batches: 1, minInvoices: 1, maxInvoices: 1 })

    // Act
    await payNow(env, invoiceId)
    await advanceBy(env, 60_000)
    await advanceBy(env, 60_000)

    // Assert
    const entries = env.entries
    const about = (e: JournalEntry): boolean =>
      JSON.stringify(e).includes(invoiceId) && e.type !== 'batch.issued'
    const startB = ofType(entries, 'run.started').find((e) => e.runId === runB)!
    const laterAboutA = entries.filter((e) => e.seq > startB.seq && about(e))
    expect(laterAboutA.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'event.received',
        'invoice.credited',
        'transfer.intent',
        'transfer.sent'
      ])
    )
    for (const e of laterAboutA) expect(e.runId).toBe(runA)
    const transferEvents = ofType(entries, 'transfer.status')
    expect(transferEvents.length).toBeGreaterThan(0)
    for (const e of transferEvents) expect(e.runId).toBe(runA)
    expect(ofType(entries, 'batch.issuing').map((e) => e.runId)).toEqual([runA, runB])
    for (const [i, e] of entries.entries()) {
      expect(e.v).toBe(2)
      expect(e.seq).toBe(entries[0]!.seq + i)
      expect(e.wall).toBeGreaterThan(Date.UTC(2030, 6, 1))
      expect(Math.abs(e.at - env.emulator.clock.now())).toBeLessThan(3_600_000)
    }
  })
})
