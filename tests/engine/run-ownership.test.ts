/**
 * Work that belongs to a run dies with it, and every command sees what really happened: a retry armed
 * by a stopped run never issues into the next run, stop and pause cut a series of late batches short,
 * "next batch now" pressed as a timer fires issues the batch after the timer's, and the engine's own
 * lifecycle (start twice, stop with work in flight, idle) leaves nothing running behind.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { batchTag } from '../../src/main/engine/tags'
import type { StarkClient } from '../../src/main/stark/client'
import { startEngineEnv, type EngineEnv } from '../helpers/engine-env'
import { reopenEngine } from '../helpers/engine-restart'
import {
  advanceBy,
  advanceTo,
  HOUR,
  invoicesAtStark,
  ofType,
  plannedIssuing
} from '../helpers/engine-steps'
import { Gate, probeClock, until, type ProbedClock } from '../helpers/engine-probes'

const INTERVAL = 3 * HOUR
const NO_PAYMENTS = { behaviour: { autoPayRatio: 0 } }

let env: EngineEnv | undefined
afterEach(async () => {
  await env?.cleanup()
  env = undefined
})

const connectionReset = (): Error =>
  Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })

/** A Stark client whose invoice creation waits at `gate` for the batches `held` picks. */
const holding =
  (gate: Gate, held: (tags: string[]) => boolean) =>
  (stark: StarkClient): StarkClient => ({
    ...stark,
    async createInvoices(invoices) {
      if (held(invoices[0]?.tags ?? [])) await gate.wait()
      return stark.createInvoices(invoices)
    }
  })

describe('run-owned work', () => {
  it('When a stopped run left a batch retry armed, Then the retry dies with that run and the next run issues its own b1 at its own time', async () => {
    // Arrange: run A's b1 fails before reaching Stark, so a retry is armed; then A is stopped
    let failed = false
    env = await startEngineEnv({
      ...NO_PAYMENTS,
      wrapStark: (stark) => ({
        ...stark,
        async createInvoices(invoices) {
          if (!failed && invoices[0]!.tags.some((t) => t.endsWith('-b1'))) {
            failed = true
            throw connectionReset()
          }
          return stark.createInvoices(invoices)
        }
      })
    })
    const { runId: runA } = await env.sim.startRun({ batches: 3 })
    const startA = env.sim.snapshot().run!.startedAt
    await advanceTo(env, startA + INTERVAL)
    expect(ofType(env.entries, 'batch.error')).toMatchObject([{ batch: 'b1' }])
    await env.sim.stopRun()
    const { runId: runB } = await env.sim.startRun({ batches: 3 })
    const { startedAt: startB, sizes: sizesB } = env.sim.snapshot().run!
    const startedB = ofType(env.entries, 'run.started').find((x) => x.runId === runB)!

    // Act: past A's retry time, then to B's second batch
    await advanceBy(env, 60_000)
    await advanceTo(env, startB + INTERVAL)

    // Assert
    const issuedInB = ofType(env.entries, 'batch.issuing').filter((x) => x.seq > startedB.seq)
    expect(issuedInB.map(({ batch, at, count }) => ({ batch, at, count }))).toEqual([
      { batch: 'b0', at: startB, count: sizesB[0] },
      { batch: 'b1', at: startB + INTERVAL, count: sizesB[1] }
    ])
    expect(await invoicesAtStark(env.stark, batchTag(runA, 'b1'))).toBe(0)
    expect(await invoicesAtStark(env.stark, batchTag(runB, 'b1'))).toBe(sizesB[1])
  })
})

describe('stop and pause during late batches', () => {
  /** b0 issued, then the engine is down while b1 and b2 come due; returns the run's start. */
  async function downAcrossTwoBatches(): Promise<number> {
    env = await startEngineEnv(NO_PAYMENTS)
    await env.sim.startRun({ batches: 4 })
    const start = env.sim.snapshot().run!.startedAt
    await advanceTo(env, start + HOUR)
    await env.sim.stop()
    await env.emulator.clock.advance(7 * HOUR)
    return start
  }

  it('When the run is stopped while the first late batch is being issued, Then no batch starts after run.stopped', async () => {
    // Arrange: the restarted engine issues b1 late and its call is held at Stark
    await downAcrossTwoBatches()
    const gate = new Gate()
    const { sim, entries } = await reopenEngine(env!, {
      stark: holding(gate, () => true)(env!.stark)
    })
    const starting = sim.start()
    await gate.entered

    // Act
    await sim.stopRun('stop pressed')
    gate.open()
    await starting
    await sim.idle()

    // Assert
    const stopped = ofType(entries, 'run.stopped')[0]!
    expect(ofType(entries, 'batch.issuing').filter((x) => x.seq > stopped.seq)).toEqual([])
    expect(ofType(entries, 'batch.issuing').map((x) => x.batch)).toEqual(['b1'])
  })

  it('When the run is paused while the first late batch is being issued, Then the next waits for resume and goes out late', async () => {
    // Arrange
    const start = await downAcrossTwoBatches()
    const gate = new Gate()
    const { sim, entries } = await reopenEngine(env!, {
      stark: holding(gate, () => true)(env!.stark)
    })
    const starting = sim.start()
    await gate.entered

    // Act
    await sim.pause()
    gate.open()
    await starting
    await sim.idle()
    const whilePaused = ofType(entries, 'batch.issuing').map((x) => x.batch)
    await sim.resume()
    await sim.idle()

    // Assert
    expect(whilePaused).toEqual(['b1'])
    expect(
      ofType(entries, 'batch.issuing').map(({ batch, dueAt, late }) => ({ batch, dueAt, late }))
    ).toEqual([
      { batch: 'b1', dueAt: start + INTERVAL, late: true },
      { batch: 'b2', dueAt: start + 2 * INTERVAL, late: true }
    ])
  })
})

describe('"next batch now"', () => {
  it("When it is pressed in the very turn the next batch's timer fires, Then it issues the batch after that one and says so", async () => {
    // Arrange: catch-up ticks never coincide with a batch time
    let clock: ProbedClock | undefined
    env = await startEngineEnv({
      ...NO_PAYMENTS,
      engine: { catchUpIntervalMs: 7 * 60_000 },
      wrapClock: (inner) => (clock = probeClock(inner))
    })
    await env.sim.startRun({ batches: 4 })
    const start = env.sim.snapshot().run!.startedAt
    let pressed: Promise<unknown> | undefined
    clock!.onFire = (at) => {
      if (at === start + INTERVAL && !pressed) pressed = env!.sim.issueBatchNow()
    }

    // Act
    await advanceTo(env, start + INTERVAL)
    await until(() => pressed !== undefined)
    const result = await pressed
    await env.sim.idle()

    // Assert
    expect(result).toEqual({ batch: 'b2', issued: true })
    expect(plannedIssuing(env).map(({ batch, at }) => ({ batch, at }))).toEqual([
      { batch: 'b0', at: start },
      { batch: 'b1', at: start + INTERVAL },
      { batch: 'b2', at: start + INTERVAL }
    ])
  })

  it('When it is pressed twice at once, Then two batches go out, each named by its own press', async () => {
    // Arrange
    env = await startEngineEnv(NO_PAYMENTS)
    await env.sim.startRun({ batches: 4 })

    // Act
    const results = await Promise.all([env.sim.issueBatchNow(), env.sim.issueBatchNow()])

    // Assert
    expect(results).toEqual([
      { batch: 'b1', issued: true },
      { batch: 'b2', issued: true }
    ])
    expect(plannedIssuing(env).map((x) => x.batch)).toEqual(['b0', 'b1', 'b2'])
  })
})

describe('engine lifecycle', () => {
  it('When start() is called twice, Then one catch-up loop runs, not two', async () => {
    // Arrange
    let sweeps = 0
    env = await startEngineEnv({
      ...NO_PAYMENTS,
      engine: { catchUpIntervalMs: 10 * 60_000 },
      wrapStark: (stark) => ({
        ...stark,
        undeliveredEvents: (after) => (sweeps++, stark.undeliveredEvents(after))
      })
    })
    const first = env.sim.webhookUrl

    // Act: nothing happens at Stark, so after the sweeps at 0 and 10 min the gap doubles (20 min)
    const again = await env.sim.start()
    await advanceBy(env, 10 * 60_000)
    const before = sweeps
    await advanceBy(env, 20 * 60_000)

    // Assert
    expect(again.webhookUrl).toBe(first)
    expect(sweeps - before).toBe(1)
  })

  it('When idle() is awaited while a catch-up sweep is under way, Then it resolves only after the sweep', async () => {
    // Arrange
    const gate = new Gate()
    let holdNext = false
    env = await startEngineEnv({
      ...NO_PAYMENTS,
      wrapStark: (stark) => ({
        ...stark,
        async undeliveredEvents(after) {
          if (holdNext) await gate.wait()
          return stark.undeliveredEvents(after)
        }
      })
    })
    holdNext = true
    const order: string[] = []

    // Act
    const sweep = env.sim.catchUp().then(() => order.push('sweep'))
    await gate.entered
    const idle = env.sim.idle().then(() => order.push('idle'))
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r))
    gate.open()
    await Promise.all([sweep, idle])

    // Assert
    expect(order).toEqual(['sweep', 'idle'])
  })

  it('When the engine stops while a periodic sweep is in flight, Then it waits for it and leaves no timer armed', async () => {
    // Arrange
    const gate = new Gate()
    let holdNext = false
    let clock: ProbedClock | undefined
    env = await startEngineEnv({
      ...NO_PAYMENTS,
      engine: { catchUpIntervalMs: 10 * 60_000 },
      wrapClock: (inner) => (clock = probeClock(inner)),
      wrapStark: (stark) => ({
        ...stark,
        async undeliveredEvents(after) {
          if (holdNext) await gate.wait()
          return stark.undeliveredEvents(after)
        }
      })
    })
    await env.sim.startRun({ batches: 4 })
    holdNext = true
    const advancing = env.emulator.clock.advance(10 * 60_000)
    await gate.entered

    // Act
    const stopping = env.sim.stop()
    gate.open()
    await stopping
    await advancing

    // Assert
    expect(clock!.armed()).toBe(0)
  })
})
