/**
 * What the sandbox does to invoices by itself, driven by the manual clock: auto-payment then credit
 * (fee, ledger transaction, e2e tag, balance), overdue and expiry, paying now through the control
 * API with late charges or discounts, and reversals.
 */
import type { Invoice } from 'starkbank'
import { afterEach, describe, expect, it } from 'vitest'
import type { SandboxBehaviour } from '../../src/main/emulator/config'
import { isValidCpf } from '../../src/main/stark/tax-id'
import { controlJson } from '../helpers/raw-client'
import { starkErrors, startSdkEmulator, type SdkEmulator } from '../helpers/sdk-emulator'
import { collectAll } from '../../src/main/stark/client'

const DAY = 86_400_000
let env: SdkEmulator | undefined
afterEach(async () => {
  await env?.stop()
  env = undefined
})

async function start(behaviour: Partial<SandboxBehaviour>): Promise<SdkEmulator> {
  env = await startSdkEmulator({ behaviour })
  return env
}

const asInvoices = (items: Record<string, unknown>[]): Invoice[] => items as unknown as Invoice[]

interface Log {
  id: string
  type: string
  invoice: Invoice
}

/** Logs of one invoice, oldest first (the API lists newest first). */
const logsOf = async (e: SdkEmulator, id: string): Promise<Log[]> =>
  (await collectAll<Log>(e.sdk.invoice.log.query({ invoiceIds: [id] }))).reverse()

const iso = (ms: number): string => new Date(ms).toISOString().replace('Z', '+00:00')

describe('auto-payment', () => {
  it('When the clock passes the pay delay, Then the invoice is paid, then credited minus the fee', async () => {
    const e = await start({
      autoPayRatio: 1,
      payDelaySeconds: [60, 60],
      creditDelaySeconds: [30, 30]
    })
    const [inv] = await e.sdk.invoice.create(
      asInvoices([{ amount: 10_000, name: 'Ana Souza', taxId: '012.345.678-90' }])
    )
    const id = inv!.id

    await e.emulator.clock.advance(59_000)
    expect((await e.sdk.invoice.get(id)).status).toBe('created')
    await e.emulator.clock.advance(1_000)
    const paid = await e.sdk.invoice.get(id)
    expect(paid).toMatchObject({ status: 'paid', amount: 10_000, fee: 0, transactionIds: [] })
    expect((await e.sdk.balance.get()).amount).toBe(0)

    const payment = await e.sdk.invoice.payment(id)
    expect(payment).toMatchObject({ amount: 10_000, method: 'pix' })
    expect(isValidCpf(payment.taxId)).toBe(true)
    expect(payment.bankCode).toMatch(/^\d{8}$/)
    expect(payment.endToEndId).toMatch(new RegExp(`^E${payment.bankCode}\\d{12}[a-z0-9]{11}$`))

    await e.emulator.clock.advance(30_000)
    const logs = await logsOf(e, id)
    expect(logs.map((l) => l.type)).toEqual(['created', 'paid', 'credited'])
    const paidLog = logs[1]!.invoice
    expect([paidLog.fee, paidLog.transactionIds]).toEqual([0, []])
    const credited = logs[2]!.invoice
    expect(credited.fee).toBe(e.emulator.core.config.invoiceFee)
    expect(credited.fee).toBe(50)
    expect(credited.transactionIds).toHaveLength(1)
    expect(credited.transactionIds[0]).toMatch(/^\d{32}$/)
    expect(credited.tags).toContain(payment.endToEndId.toLowerCase())
    expect(credited.status).toBe('paid')
    expect((await e.sdk.balance.get()).amount).toBe(credited.amount - credited.fee)

    const events = Object.values(e.emulator.core.state.events).filter(
      (ev) => 'invoice' in ev.log && ev.log.invoice.id === id
    )
    expect(events.map((ev) => ev.log.type).sort()).toEqual(['created', 'credited', 'paid'])
    expect(Object.keys(e.emulator.core.state.jobs)).toHaveLength(0)
  })

  it('When autoPayRatio is 0, Then invoices go overdue at due and expire at due + expiration', async () => {
    const e = await start({ autoPayRatio: 0 })
    const now = e.emulator.clock.now()
    const [inv] = await e.sdk.invoice.create(
      asInvoices([
        {
          amount: 500,
          name: 'Bruno Lima',
          taxId: '20.018.183/0001-80',
          due: iso(now + 3_600_000),
          expiration: 7200
        }
      ])
    )
    const id = inv!.id
    await e.emulator.clock.advance(3_599_000)
    expect((await e.sdk.invoice.get(id)).status).toBe('created')
    await e.emulator.clock.advance(2_000)
    expect((await e.sdk.invoice.get(id)).status).toBe('overdue')
    await e.emulator.clock.advance(7_200_000)
    expect((await e.sdk.invoice.get(id)).status).toBe('expired')
    expect((await logsOf(e, id)).map((l) => l.type)).toEqual(['created', 'overdue', 'expired'])

    const pay = await controlJson(e.emulator.url, 'POST', `/_emulator/invoices/${id}/pay`)
    expect(pay.status).toBe(400)
    expect(await starkErrors(() => e.sdk.invoice.update(id, { amount: 1 }))).toEqual({
      status: 400,
      codes: ['invalidOperation']
    })
    expect(Object.keys(e.emulator.core.state.jobs)).toHaveLength(0)
  })
})

describe('paying now through the control API', () => {
  it('When an overdue invoice is paid three days late, Then fine and interest are added', async () => {
    const e = await start({ autoPayRatio: 0, creditDelaySeconds: [10, 10] })
    const now = e.emulator.clock.now()
    const [inv] = await e.sdk.invoice.create(
      asInvoices([
        { amount: 10_000, name: 'Camila Alves', taxId: '337.451.076-08', due: iso(now + 3_600_000) }
      ])
    )
    await e.emulator.clock.advance(3_600_000 + 3 * DAY)
    const res = await controlJson(e.emulator.url, 'POST', `/_emulator/invoices/${inv!.id}/pay`)
    expect(res.status).toBe(200)
    // Fine 2% of 10000 = 200; interest 1%/month for 3 days = round(100 * 3 / 30) = 10.
    expect((res.body as { invoice: Invoice }).invoice).toMatchObject({
      status: 'paid',
      nominalAmount: 10_000,
      fineAmount: 200,
      interestAmount: 10,
      discountAmount: 0,
      amount: 10_210
    })
    await e.emulator.clock.advance(10_000)
    expect((await e.sdk.invoice.get(inv!.id)).transactionIds).toHaveLength(1)
    expect((await e.sdk.balance.get()).amount).toBe(10_210 - 50)
    expect((await logsOf(e, inv!.id)).map((l) => l.type)).toEqual([
      'created',
      'overdue',
      'paid',
      'credited'
    ])
  })

  it('When an invoice with a live discount is paid now, Then the best discount is taken off', async () => {
    const e = await start({ autoPayRatio: 0 })
    const now = e.emulator.clock.now()
    const [inv] = await e.sdk.invoice.create(
      asInvoices([
        {
          amount: 4100,
          name: 'Diego Rocha',
          taxId: '845.353.790-92',
          due: iso(now + 5 * DAY),
          discounts: [
            { percentage: 10.5, due: iso(now + DAY) },
            { percentage: 5, due: iso(now + 2 * DAY) }
          ]
        }
      ])
    )
    const paid = await controlJson(e.emulator.url, 'POST', `/_emulator/invoices/${inv!.id}/pay`)
    expect((paid.body as { invoice: Invoice }).invoice).toMatchObject({
      discountAmount: 431,
      amount: 3669
    })
    const again = await controlJson(e.emulator.url, 'POST', `/_emulator/invoices/${inv!.id}/pay`)
    expect(again.status).toBe(400)
    expect((again.body as { errors: { code: string }[] }).errors[0]!.code).toBe('invalidInvoice')
    const unknown = await controlJson(e.emulator.url, 'POST', '/_emulator/invoices/1/pay')
    expect(unknown.status).toBe(400)
  })
})

describe('reversal', () => {
  it('When a credited invoice gets a smaller amount, Then the difference leaves the balance', async () => {
    const e = await start({ autoPayRatio: 0, creditDelaySeconds: [5, 5] })
    const [inv] = await e.sdk.invoice.create(
      asInvoices([{ amount: 3000, name: 'Fernanda Costa', taxId: '594.739.480-42' }])
    )
    const id = inv!.id
    await controlJson(e.emulator.url, 'POST', `/_emulator/invoices/${id}/pay`)
    expect(await starkErrors(() => e.sdk.invoice.update(id, { amount: 1000 }))).toEqual({
      status: 400,
      codes: ['invalidOperation']
    })
    await e.emulator.clock.advance(5_000)
    expect((await e.sdk.balance.get()).amount).toBe(2950)

    expect(await starkErrors(() => e.sdk.invoice.update(id, { amount: 3000 }))).toEqual({
      status: 400,
      codes: ['invalidAmount']
    })
    expect(await starkErrors(() => e.sdk.invoice.update(id, { status: 'canceled' }))).toEqual({
      status: 400,
      codes: ['invalidOperation']
    })
    const reversed = await e.sdk.invoice.update(id, { amount: 1000 })
    expect(reversed).toMatchObject({ status: 'paid', amount: 1000, nominalAmount: 3000 })
    expect((await e.sdk.balance.get()).amount).toBe(950)
    expect((await logsOf(e, id)).map((l) => l.type)).toEqual([
      'created',
      'paid',
      'credited',
      'reversed'
    ])
  })
})
