/**
 * A push is a trigger; Stark's API is the source of truth. Signed `credited` logs whose values are
 * wrong (a fee of −100,000 on an invoice of 1,000) must never set a transfer's amount: the engine
 * reads the invoice as credited from the API before sending, journals a push that disagrees as
 * suspicious, and sends nothing when what Stark itself holds makes no sense.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { signBody, webhookBody } from '../../src/main/emulator/delivery'
import { writeInvoiceLog } from '../../src/main/emulator/invoice-lifecycle'
import type { StarkEvent } from '../../src/main/emulator/types'
import { invoiceTag } from '../../src/main/engine/tags'
import { startEngineEnv, type EngineEnv, type EngineEnvOptions } from '../helpers/engine-env'
import { advanceBy, HOUR, ofType, payNow } from '../helpers/engine-steps'
import { send } from '../helpers/http-send'

const AMOUNT = 1_000
const FEE = 50
const PLAN = { batches: 1, minInvoices: 1, maxInvoices: 1, minAmount: AMOUNT, maxAmount: AMOUNT }

let env: EngineEnv | undefined
afterEach(async () => {
  await env?.cleanup()
  env = undefined
})

async function oneInvoice(options: EngineEnvOptions): Promise<{ e: EngineEnv; invoiceId: string }> {
  env = await startEngineEnv({
    ...options,
    behaviour: { autoPayRatio: 0, creditDelaySeconds: [10, 10], invoiceFee: FEE }
  })
  await env.sim.startRun({ ...PLAN, settleMs: HOUR })
  return { e: env, invoiceId: env.sim.snapshot().invoices[0]!.id }
}

const transfersOf = (e: EngineEnv, invoiceId: string) =>
  e.stark.transfersByTag(invoiceTag(invoiceId))

describe('credited values come from the API', () => {
  it('When a signed push says fee −100,000 but the API says 50, Then the push is journaled as suspicious and the transfer is amount − 50', async () => {
    // Arrange: no webhook at Stark, so the genuine event waits; our forged copy arrives first
    const { e, invoiceId } = await oneInvoice({
      register: false,
      engine: { catchUpIntervalMs: 10 * HOUR }
    })
    await payNow(e, invoiceId)
    await advanceBy(e, 10_000)
    const genuine = Object.values(e.emulator.core.state.events).find(
      (x) => x.log.type === 'credited' && 'invoice' in x.log && x.log.invoice.id === invoiceId
    )!
    const forged = structuredClone(genuine) as StarkEvent & { log: { invoice: { fee: number } } }
    forged.log.invoice.fee = -100_000
    const body = webhookBody(forged)
    const signature = signBody(body, e.emulator.core.state.signingKey.privatePem)

    // Act
    const answer = await send(e.sim.webhookUrl!, {
      body,
      headers: { 'Digital-Signature': signature }
    })
    await e.sim.idle()
    for (let i = 0; i < 3; i++) await advanceBy(e, 10_000)

    // Assert
    expect(answer.status).toBe(200)
    expect(await transfersOf(e, invoiceId)).toMatchObject([
      { amount: AMOUNT - FEE, status: 'success' }
    ])
    expect(ofType(e.entries, 'credit.suspicious')).toMatchObject([
      { invoiceId, held: false, claimed: { amount: AMOUNT, fee: -100_000 } }
    ])
    expect(ofType(e.entries, 'invoice.credited')).toMatchObject([
      { invoiceId, amount: AMOUNT, fee: FEE }
    ])
  })

  it('When a bogus credited log comes before the real one, Then the first one does not win: nothing is sent on it, and the real credit gets its transfer', async () => {
    // Arrange: paid; Stark writes a credited log with fee −100,000 before the real credit
    const { e, invoiceId } = await oneInvoice({})
    await payNow(e, invoiceId)
    const invoice = e.emulator.core.state.invoices[invoiceId]!
    writeInvoiceLog(e.emulator.core, { ...structuredClone(invoice), fee: -100_000 }, 'credited')

    // Act: the bogus log is delivered, then the real credit comes 10 s after payment
    await advanceBy(e, 0)
    const beforeRealCredit = await transfersOf(e, invoiceId)
    for (let i = 0; i < 4; i++) await advanceBy(e, 10_000)

    // Assert
    expect(beforeRealCredit).toEqual([])
    expect(await transfersOf(e, invoiceId)).toMatchObject([
      { amount: AMOUNT - FEE, status: 'success' }
    ])
    // First the bogus log alone: held. Then the real one, with the bogus one noted beside it.
    expect(ofType(e.entries, 'credit.suspicious')).toMatchObject([
      { invoiceId, held: true, reason: /fee -100000 would send 101000 cents/ },
      { invoiceId, held: false, atStark: { amount: AMOUNT, fee: FEE } }
    ])
    expect((await e.sim.verify()).problems).toEqual([])
  })

  it('When Stark itself holds a fee of −100,000 for a 1,000 invoice, Then no transfer is sent and the check reports the invoice', async () => {
    // Arrange: what Stark holds is wrong, in the invoice and in its only credited log
    const { e, invoiceId } = await oneInvoice({})
    const invoice = e.emulator.core.state.invoices[invoiceId]!
    invoice.status = 'paid'
    invoice.fee = -100_000

    // Act
    writeInvoiceLog(e.emulator.core, invoice, 'credited')
    for (let i = 0; i < 4; i++) await advanceBy(e, 10_000)

    // Assert
    expect(await transfersOf(e, invoiceId)).toEqual([])
    expect(ofType(e.entries, 'credit.suspicious')).toMatchObject([{ invoiceId, held: true }])
    expect(e.sim.snapshot().invoices[0]).toMatchObject({
      held: { reason: /more than the invoice/ }
    })
    const report = await e.sim.verify()
    expect(report.ok).toBe(false)
    expect(report.problems.join('\n')).toMatch(invoiceId)
  })
})
