/**
 * Exactly-once transfers through the outbox, against the emulator with the real SDK on a manual
 * clock. One invoice is issued, paid and credited; the engine's Stark client is wrapped to lose an
 * answer, fail before reaching Stark, or lag in its listings, and Stark itself must end with exactly
 * one successful transfer of amount − fee for the credit.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { postLedger } from '../../src/main/emulator/account'
import { signBody, webhookBody } from '../../src/main/emulator/delivery'
import { DELIVERY_GRACE_MS } from '../../src/main/engine/catch-up'
import { invoiceTag, runTag } from '../../src/main/engine/tags'
import type { PlanInput } from '../../src/shared/plan'
import type { StarkClient } from '../../src/main/stark/client'
import { startEngineEnv, type EngineEnv, type EngineEnvOptions } from '../helpers/engine-env'
import { advanceBy, ofType, payNow, serverError } from '../helpers/engine-steps'
import { send } from '../helpers/http-send'

const CREDIT_DELAY_MS = 10_000
/** Long enough for Stark to process and settle a transfer (2 s + 5 s by default). */
const SETTLE_MS = 10_000

let env: EngineEnv | undefined
afterEach(async () => {
  await env?.cleanup()
  env = undefined
})

/** Starts a run of one invoice, pays it and lets it be credited; the transfer is then under way. */
async function creditedInvoice(
  options: EngineEnvOptions & { plan?: PlanInput } = {}
): Promise<{ e: EngineEnv; invoiceId: string; runId: string }> {
  env = await startEngineEnv({
    ...options,
    behaviour: { autoPayRatio: 0, creditDelaySeconds: [10, 10], ...options.behaviour }
  })
  const { runId } = await env.sim.startRun({
    batches: 1,
    minInvoices: 1,
    maxInvoices: 1,
    ...options.plan
  })
  const invoiceId = env.sim.snapshot().invoices[0]!.id
  await payNow(env, invoiceId)
  await advanceBy(env, CREDIT_DELAY_MS)
  return { e: env, invoiceId, runId }
}

const transfersOf = (e: EngineEnv, invoiceId: string): ReturnType<StarkClient['transfersByTag']> =>
  e.stark.transfersByTag(invoiceTag(invoiceId))

/** Wraps createTransfer; `call` counts from 1. */
const wrapCreate =
  (
    fn: (
      stark: StarkClient,
      call: number,
      t: Parameters<StarkClient['createTransfer']>[0]
    ) => ReturnType<StarkClient['createTransfer']>
  ) =>
  (stark: StarkClient): StarkClient => {
    let calls = 0
    return { ...stark, createTransfer: (t) => fn(stark, ++calls, t) }
  }

describe('outbox: unknown outcomes', () => {
  it('When Stark creates the transfer but the answer is lost, Then the engine finds it by tag and records it sent, recovered, with one transfer at Stark', async () => {
    // Arrange
    let calls = 0
    const { e, invoiceId } = await creditedInvoice({
      wrapStark: wrapCreate(async (stark, call, t) => {
        calls = call
        const created = await stark.createTransfer(t)
        if (call === 1) throw serverError()
        return created
      })
    })
    const errors = ofType(e.entries, 'transfer.error')

    // Act
    await advanceBy(e, 2_000)
    await advanceBy(e, SETTLE_MS)

    // Assert
    expect(errors).toMatchObject([{ invoiceId, outcome: 'unknown' }])
    expect(errors[0]!.retryAt).toBe(errors[0]!.at + 2_000)
    expect(ofType(e.entries, 'transfer.sent')).toMatchObject([{ invoiceId, recovered: true }])
    expect(calls).toBe(1)
    expect(await transfersOf(e, invoiceId)).toMatchObject([
      { externalId: `ssim-${invoiceId}`, status: 'success' }
    ])
    expect((await e.sim.verify()).problems).toEqual([])
  })

  it('When the call fails twice before reaching Stark, Then it is retried with a growing backoff and one transfer is made', async () => {
    // Arrange
    const { e, invoiceId } = await creditedInvoice({
      wrapStark: wrapCreate(async (stark, call, t) => {
        if (call <= 2) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })
        return stark.createTransfer(t)
      })
    })

    // Act
    await advanceBy(e, 2_000)
    await advanceBy(e, 4_000)
    await advanceBy(e, SETTLE_MS)

    // Assert
    const errors = ofType(e.entries, 'transfer.error')
    expect(errors.map((x) => x.outcome)).toEqual(['unknown', 'unknown'])
    expect(errors.map((x) => x.retryAt! - x.at)).toEqual([2_000, 4_000])
    expect(errors[1]!.at).toBe(errors[0]!.retryAt)
    expect(ofType(e.entries, 'transfer.sent')).toMatchObject([{ invoiceId, recovered: false }])
    expect(ofType(e.entries, 'transfer.intent')).toHaveLength(1)
    expect(await transfersOf(e, invoiceId)).toMatchObject([{ status: 'success' }])
    expect((await e.sim.verify()).problems).toEqual([])
  })

  it("When the answer is lost and the lookup lags, Then the second call's duplicate-externalId refusal resolves by lookup to the one transfer", async () => {
    // Arrange: Stark's listing does not show the new transfer the first time it is asked
    let calls = 0
    let lookups = 0
    const { e, invoiceId } = await creditedInvoice({
      wrapStark: (stark) => ({
        ...wrapCreate(async (inner, call, t) => {
          calls = call
          const created = await inner.createTransfer(t)
          if (call === 1) throw serverError()
          return created
        })(stark),
        transfersByTag: async (tag) => (++lookups === 1 ? [] : stark.transfersByTag(tag))
      })
    })

    // Act
    await advanceBy(e, 2_000)
    await advanceBy(e, SETTLE_MS)

    // Assert
    expect(calls).toBe(2)
    expect(ofType(e.entries, 'transfer.error')).toHaveLength(1)
    expect(ofType(e.entries, 'transfer.sent')).toMatchObject([{ invoiceId, recovered: true }])
    expect(await transfersOf(e, invoiceId)).toMatchObject([{ status: 'success' }])
    expect(e.sim.snapshot().totals).toMatchObject({ transfersSucceeded: 1, transfersFailed: 0 })
  })
})

describe('outbox: amounts', () => {
  it('When the fee eats the whole credited amount, Then the transfer is skipped with a reason and nothing is sent', async () => {
    // Arrange and Act
    const { e, invoiceId, runId } = await creditedInvoice({
      behaviour: { invoiceFee: 999_999 },
      plan: { minAmount: 100, maxAmount: 200 }
    })
    await advanceBy(e, SETTLE_MS)

    // Assert
    const [skipped] = ofType(e.entries, 'transfer.skipped')
    expect(skipped).toMatchObject({ invoiceId })
    expect(skipped!.reason).toMatch(/minus fee .* is 0 cents: nothing to send/)
    expect(ofType(e.entries, 'transfer.intent')).toHaveLength(0)
    expect(await e.stark.transfersByTag(runTag(runId))).toHaveLength(0)
    expect(e.sim.snapshot().totals).toMatchObject({ skipped: 1, transfersSent: 0 })
    expect((await e.sim.verify()).problems).toEqual([])
  })

  it('When the fee leaves one cent, Then exactly one cent is transferred', async () => {
    // Arrange and Act
    const { e, invoiceId } = await creditedInvoice({
      behaviour: { invoiceFee: 499 },
      plan: { minAmount: 500, maxAmount: 500 }
    })
    await advanceBy(e, SETTLE_MS)

    // Assert
    expect(await transfersOf(e, invoiceId)).toMatchObject([{ amount: 1, status: 'success' }])
    expect((await e.sim.verify()).problems).toEqual([])
  })
})

describe('outbox: the same credit seen many times', () => {
  it('When the credited event is delivered twice at once and also seen by catch-up and a replay, Then one transfer is made', async () => {
    // Arrange: no webhook at Stark, so the credited event waits undelivered for catch-up, until
    // it is old enough for a sweep to take it
    const { e, invoiceId } = await creditedInvoice({ register: false })
    await advanceBy(e, DELIVERY_GRACE_MS)
    const event = Object.values(e.emulator.core.state.events).find(
      (x) => x.log.type === 'credited' && 'invoice' in x.log && x.log.invoice.id === invoiceId
    )!
    const body = webhookBody(event)
    const signature = signBody(body, e.emulator.core.state.signingKey.privatePem)
    const deliver = (): ReturnType<typeof send> =>
      send(e.sim.webhookUrl!, { body, headers: { 'Digital-Signature': signature } })

    // Act
    const [first, second] = await Promise.all([deliver(), deliver(), e.sim.catchUp()])
    const replay = await e.sim.replayEvent(event.id)
    await e.sim.idle()
    await advanceBy(e, SETTLE_MS)
    await e.sim.catchUp()

    // Assert
    expect([first.status, second.status]).toEqual([200, 200])
    expect(replay).toEqual({ verdict: 'duplicate' })
    const received = ofType(e.entries, 'event.received').filter((x) => x.eventId === event.id)
    expect(received.filter((x) => x.verdict !== 'duplicate')).toHaveLength(1)
    expect(ofType(e.entries, 'invoice.credited')).toHaveLength(1)
    expect(ofType(e.entries, 'transfer.intent')).toHaveLength(1)
    expect(await transfersOf(e, invoiceId)).toMatchObject([{ status: 'success' }])
    expect(e.emulator.core.state.events[event.id]!.isDelivered).toBe(true)
    expect((await e.sim.verify()).problems).toEqual([])
  })

  it('When Stark delivers every event twice, Then one transfer is made', async () => {
    // Arrange and Act
    const { e, invoiceId } = await creditedInvoice({ faults: { duplicateDeliveries: 1 } })
    await advanceBy(e, SETTLE_MS)

    // Assert
    expect(ofType(e.entries, 'event.received').some((x) => x.verdict === 'duplicate')).toBe(true)
    expect(ofType(e.entries, 'transfer.intent')).toHaveLength(1)
    expect(await transfersOf(e, invoiceId)).toMatchObject([{ status: 'success' }])
  })
})

describe('outbox: a transfer Stark fails', () => {
  it("When the balance is short, Then the transfer shows failed, and the user's retry sends a new one that succeeds once the balance is back", async () => {
    // Arrange: the transfer was created; empty the balance before Stark processes it
    const { e, invoiceId } = await creditedInvoice()
    const balance = e.emulator.core.state.balance
    postLedger(e.emulator.core, -balance, 'test: drain the workspace', 'test')
    await advanceBy(e, SETTLE_MS)
    const failed = e.sim.snapshot()
    const failedReport = await e.sim.verify()

    // Act
    postLedger(e.emulator.core, balance, 'test: refill the workspace', 'test')
    await e.sim.retryTransfer(invoiceId)
    await advanceBy(e, SETTLE_MS)

    // Assert
    expect(failed.invoices[0]!.transfer).toMatchObject({ status: 'failed', attempt: 0 })
    expect(failed.totals).toMatchObject({ transfersFailed: 1, transfersSucceeded: 0 })
    expect(failedReport.ok).toBe(false)
    const atStark = await transfersOf(e, invoiceId)
    expect(atStark.map((t) => [t.externalId, t.status]).sort()).toEqual([
      [`ssim-${invoiceId}`, 'failed'],
      [`ssim-${invoiceId}-r1`, 'success']
    ])
    expect(e.sim.snapshot().invoices[0]!.transfer).toMatchObject({
      status: 'success',
      attempt: 1,
      externalId: `ssim-${invoiceId}-r1`
    })
    expect((await e.sim.verify()).problems).toEqual([])
    await expect(e.sim.retryTransfer(invoiceId)).rejects.toMatchObject({
      code: 'not_retryable',
      message: /has not failed/
    })
  })
})
