/**
 * A sweep leaves events younger than the delivery grace to their webhooks: right after a batch, the
 * new invoices' events are on their way, not missed, and taking them from the webhook would report
 * them as missed and make every delivery a duplicate. A delivery that really is lost is still
 * recovered by a later sweep. Against the emulator with the real SDK, on a manual clock.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { faultsSchema, NO_FAULTS } from '../../src/main/emulator/config'
import { DELIVERY_GRACE_MS } from '../../src/main/engine/catch-up'
import { startEngineEnv, type EngineEnv } from '../helpers/engine-env'
import { advanceBy, HOUR, ofType, payNow } from '../helpers/engine-steps'

const MINUTE = 60_000
const SWEEP_EVERY = 15 * MINUTE
const PLAN = { batches: 1, minInvoices: 3, maxInvoices: 3, settleMs: 2 * HOUR }

let env: EngineEnv | undefined
afterEach(async () => {
  await env?.cleanup()
  env = undefined
})

describe('catch-up grace', () => {
  it('When a sweep runs right after a batch and deliveries are healthy, Then it reports 0 missed events and each event arrives once, by webhook', async () => {
    // Arrange: the batch's `created` events exist at Stark, their deliveries not yet made
    env = await startEngineEnv({
      behaviour: { autoPayRatio: 0 },
      engine: { catchUpIntervalMs: SWEEP_EVERY }
    })
    await env.sim.startRun(PLAN)
    expect(env.sim.snapshot().invoices).toHaveLength(3)

    // Act
    const sweep = await env.sim.catchUp()
    await advanceBy(env, MINUTE)

    // Assert
    expect(sweep).toMatchObject({ events: 0, complete: true })
    const received = ofType(env.entries, 'event.received')
    expect(received.map((e) => [e.logType, e.source])).toEqual([
      ['created', 'webhook'],
      ['created', 'webhook'],
      ['created', 'webhook']
    ])
    expect(ofType(env.entries, 'catch-up.done')).toEqual([])
  })

  it('When the deliveries of a payment are dropped, Then a sweep right after reports nothing, and one after the grace recovers them and the credit is transferred', async () => {
    // Arrange: the `created` event arrives; then every delivery is dropped (retries too), and a
    // sweep comes a minute after the payment, its credit already logged at Stark
    env = await startEngineEnv({
      behaviour: { autoPayRatio: 0, creditDelaySeconds: [10, 10] },
      engine: { catchUpIntervalMs: SWEEP_EVERY }
    })
    await env.sim.startRun({ ...PLAN, minInvoices: 1, maxInvoices: 1 })
    await advanceBy(env, MINUTE)
    const invoiceId = env.sim.snapshot().invoices[0]!.id
    env.emulator.core.faults = faultsSchema.parse({ dropDeliveries: 1 })
    await payNow(env, invoiceId)
    await advanceBy(env, MINUTE)
    const early = await env.sim.catchUp()
    expect(early).toMatchObject({ events: 0, credits: 0 })
    expect(ofType(env.entries, 'transfer.intent')).toEqual([])

    // Act: the next periodic sweep comes once the events are older than the grace (Stark's
    // retries are dropped too)
    expect(SWEEP_EVERY).toBeGreaterThan(DELIVERY_GRACE_MS + 2 * MINUTE)
    for (let i = 0; i < 14; i++) await advanceBy(env, MINUTE)
    env.emulator.core.faults = NO_FAULTS

    // Assert
    const recovered = ofType(env.entries, 'event.received').filter((e) => e.source === 'catch-up')
    expect(recovered.map((e) => e.logType).sort()).toEqual(['credited', 'paid'])
    expect(ofType(env.entries, 'catch-up.done')).toMatchObject([{ events: 2, credits: 0 }])
    expect(ofType(env.entries, 'transfer.sent')).toMatchObject([{ invoiceId }])
  })

  it('When a sweep is asked for after a long quiet stretch, Then the next periodic sweep comes within an interval and takes what the asked-for one left to its webhook', async () => {
    // Arrange: no webhook at Stark, nothing happens for almost 2 h (sweeps space out to an hour),
    // then a batch whose `created` event is still young at the sweep asked for
    env = await startEngineEnv({
      register: false,
      behaviour: { autoPayRatio: 0 },
      engine: { catchUpIntervalMs: SWEEP_EVERY }
    })
    for (let i = 0; i < 11; i++) await advanceBy(env, 10 * MINUTE)
    await env.sim.startRun({ ...PLAN, minInvoices: 1, maxInvoices: 1 })
    await advanceBy(env, MINUTE)
    const asked = await env.sim.catchUp()

    // Act
    await advanceBy(env, SWEEP_EVERY + MINUTE)

    // Assert
    expect(asked).toMatchObject({ events: 0, waiting: 1 })
    const recovered = ofType(env.entries, 'event.received').filter((e) => e.source === 'catch-up')
    expect(recovered.map((e) => e.logType)).toEqual(['created'])
  })
})
