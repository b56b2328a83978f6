/**
 * Defect 12: the clock ran timer callbacks one at a time, awaiting each, so one Stark call stuck for
 * its 60 s silence limit froze every other timer, the embedded emulator's deliveries included. Here an
 * engine timer (a catch-up sweep) hangs on its Stark call; the emulator's payments, credits and
 * deliveries, and the engine's transfers for them, must all still happen once the hold limit passes.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { startEngineEnv, type EngineEnv } from '../helpers/engine-env'

const MINUTE = 60_000

let env: EngineEnv | undefined
let unstick: (() => void) | undefined
afterEach(async () => {
  // As the transport's silence limit would: the stuck call fails, and stop() need not wait for it.
  unstick?.()
  await env?.cleanup()
  env = undefined
})

describe('a stuck Stark call', () => {
  it('When an engine timer hangs on a Stark call, Then the emulator keeps paying and delivering and every credit still gets its transfer', async () => {
    let sweeps = 0
    env = await startEngineEnv({
      seed: 4,
      holdLimitMs: 100,
      behaviour: { autoPayRatio: 1 },
      // A sweep 10 emulator seconds after start: before any invoice is paid (30 s to 10 min).
      engine: { catchUpIntervalMs: 10_000 },
      wrapStark: (stark) => ({
        ...stark,
        undeliveredEvents: (after) => {
          // The sweep at start answers; the first timed one never does (until the test ends).
          if (++sweeps !== 2) return stark.undeliveredEvents(after)
          return new Promise((_, reject) => {
            unstick = () => reject(new Error('silent for 60 s'))
          })
        }
      })
    })
    const { clock } = env.emulator
    await env.sim.startRun({ batches: 1, minInvoices: 3, maxInvoices: 3 })

    await clock.advance(30 * MINUTE)

    expect(sweeps).toBe(2)
    expect(clock.releasedHolds).toBeGreaterThanOrEqual(1)
    const created = env.entries.filter((e) => e.type === 'invoice.created')
    const credited = env.entries.filter((e) => e.type === 'invoice.credited')
    const sent = env.entries.filter((e) => e.type === 'transfer.sent')
    expect(created).toHaveLength(3)
    expect(credited).toHaveLength(3)
    expect(sent).toHaveLength(3)
    // All of it happened after the stuck sweep began.
    const run = env.sim.snapshot().run!
    for (const entry of [...credited, ...sent])
      expect(entry.at).toBeGreaterThan(run.startedAt + 10_000)
  }, 60_000)
})
