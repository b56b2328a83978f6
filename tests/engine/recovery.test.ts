/**
 * What the engine recovers by itself, against the emulator with the real SDK on a manual clock: an
 * earlier run's credit cut off by a crash, a transfer whose status events were lost after Stark heard
 * our 200, and a transfer canceled at Stark; and what a catch-up sweep costs once a run is settled.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { invoiceTag } from '../../src/main/engine/tags'
import { collectAll } from '../../src/main/stark/client'
import { startEngineEnv, type EngineEnv } from '../helpers/engine-env'
import { cutJournal, reopenEngine } from '../helpers/engine-restart'
import { advanceBy, HOUR, ofType, payNow } from '../helpers/engine-steps'
import { countingStark, type CallCount } from '../helpers/engine-probes'

const MINUTE = 60_000
const ONE = { batches: 1, minInvoices: 1, maxInvoices: 1 }

let env: EngineEnv | undefined
afterEach(async () => {
  await env?.cleanup()
  env = undefined
})

describe('an earlier run after a crash', () => {
  it("When the process dies right after an earlier run's credited event was recorded, Then the restarted engine still sends that credit's one transfer", async () => {
    // Arrange: run A's invoice is paid while run B runs; the transfer never reaches Stark
    env = await startEngineEnv({
      behaviour: { autoPayRatio: 0, creditDelaySeconds: [10, 10] },
      wrapStark: (stark) => ({
        ...stark,
        createTransfer: async () => {
          throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
        }
      })
    })
    await env.sim.startRun(ONE)
    const invoiceId = env.sim.snapshot().invoices[0]!.id
    await env.sim.stopRun()
    await env.sim.startRun({ ...ONE, settleMs: HOUR })
    await payNow(env, invoiceId)
    await advanceBy(env, MINUTE)
    await env.sim.stop()
    // The crash: only the event's entry reached the disk.
    await cutJournal(env, (entry) => entry.type === 'invoice.credited')

    // Act
    const { entries } = await reopenEngine(env, { catchUpIntervalMs: 10 * MINUTE })
    await env.sim.start()
    for (let i = 0; i < 6; i++) await advanceBy(env, 10 * MINUTE)

    // Assert
    const invoice = await env.sdk.invoice.get(invoiceId)
    expect(await env.stark.transfersByTag(invoiceTag(invoiceId))).toMatchObject([
      { amount: invoice.amount - invoice.fee, status: 'success' }
    ])
    expect(ofType(entries, 'transfer.intent')).toMatchObject([{ invoiceId }])
  })
})

describe('catch-up and transfers', () => {
  it('When the status events of a transfer were answered 200 but lost, Then catch-up reads the status from Stark and the run completes', async () => {
    // Arrange: no webhook; everything arrives through catch-up, and the transfer's events are
    // marked delivered behind the engine's back, as if our 200 went out and the entry was lost
    env = await startEngineEnv({
      register: false,
      behaviour: { autoPayRatio: 0, creditDelaySeconds: [10, 10] },
      engine: { catchUpIntervalMs: 10 * MINUTE }
    })
    await env.sim.startRun({ ...ONE, settleMs: HOUR })
    const invoiceId = env.sim.snapshot().invoices[0]!.id
    await payNow(env, invoiceId)
    await advanceBy(env, 10 * MINUTE)
    expect(ofType(env.entries, 'transfer.sent')).toHaveLength(1)
    await advanceBy(env, MINUTE)
    const events = await collectAll<{ id: string; subscription: string }>(
      env.sdk.event.query({ isDelivered: false })
    )
    const lost = events.filter((x) => x.subscription === 'transfer')
    expect(lost.length).toBeGreaterThan(0)
    for (const event of lost) await env.sdk.event.update(event.id, { isDelivered: true })

    // Act
    for (let i = 0; i < 12; i++) await advanceBy(env, 10 * MINUTE)

    // Assert
    expect(env.sim.snapshot().invoices[0]!.transfer).toMatchObject({ status: 'success' })
    expect(ofType(env.entries, 'run.completed')).toHaveLength(1)
    expect((await env.sim.verify()).problems).toEqual([])
  })

  it('When Stark cancels the transfer, Then the user can retry it and the run completes with one successful transfer', async () => {
    // Arrange: Stark is slow to process, so the transfer can be canceled first
    env = await startEngineEnv({
      behaviour: {
        autoPayRatio: 0,
        creditDelaySeconds: [10, 10],
        transferProcessingDelaySeconds: 600
      }
    })
    await env.sim.startRun({ ...ONE, settleMs: HOUR })
    const invoiceId = env.sim.snapshot().invoices[0]!.id
    await payNow(env, invoiceId)
    await advanceBy(env, MINUTE)
    const [sent] = ofType(env.entries, 'transfer.sent')
    await env.sdk.transfer.delete(sent!.transferId)
    await advanceBy(env, MINUTE)
    expect(env.sim.snapshot().invoices[0]!.transfer).toMatchObject({ status: 'canceled' })

    // Act
    const retried = await env.sim.retryTransfer(invoiceId)
    for (let i = 0; i < 4; i++) await advanceBy(env, 30 * MINUTE)

    // Assert
    expect(retried).toEqual({ attempt: 1 })
    const atStark = await env.stark.transfersByTag(invoiceTag(invoiceId))
    expect(atStark.map((t) => t.status).sort()).toEqual(['canceled', 'success'])
    expect(ofType(env.entries, 'run.completed')).toHaveLength(1)
    expect((await env.sim.verify()).problems).toEqual([])
  })
})

describe('catch-up cost', () => {
  /** Runs one batch of `size` invoices to completion; returns what one later sweep cost. */
  async function sweepCostAfterRunOf(size: number): Promise<CallCount> {
    const count: CallCount = { calls: 0, records: 0 }
    env = await startEngineEnv({
      behaviour: { autoPayRatio: 0.5 },
      wrapStark: (stark) => countingStark(stark, count)
    })
    await env.sim.startRun({ batches: 1, minInvoices: size, maxInvoices: size, settleMs: HOUR })
    for (let i = 0; i < 8; i++) await advanceBy(env, HOUR / 2)
    expect(ofType(env.entries, 'run.completed')).toHaveLength(1)
    await env.sim.catchUp()
    const before = { ...count }
    await env.sim.catchUp()
    const cost = { calls: count.calls - before.calls, records: count.records - before.records }
    await env.cleanup()
    env = undefined
    return cost
  }

  it('When nothing changed since the last sweep, Then a sweep costs the same after a run of 4 invoices as after one of 40', async () => {
    const small = await sweepCostAfterRunOf(4)
    const large = await sweepCostAfterRunOf(40)
    expect(large).toEqual(small)
  }, 60_000)
})
