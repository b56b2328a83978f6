/**
 * The invoice resource as the real `starkbank` SDK sees it: batch create and validation, pagination,
 * get, update (change, cancel), logs and payment lookups. The sandbox's own moves (pay, credit,
 * overdue, expire) are in invoice-lifecycle.test.ts.
 */
import type { Invoice } from 'starkbank'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { crc16 } from '../../src/main/emulator/brcode'
import { starkErrors, startSdkEmulator, type SdkEmulator } from '../helpers/sdk-emulator'
import { collectAll } from '../../src/main/stark/client'

let env: SdkEmulator

beforeEach(async () => {
  env = await startSdkEmulator({ behaviour: { autoPayRatio: 0 } })
})
afterEach(() => env.stop())

/** The SDK's typings need full Invoice objects; its runtime sends plain objects as they are. */
const asInvoices = (items: Record<string, unknown>[]): Invoice[] => items as unknown as Invoice[]

const person = (i: number): Record<string, unknown> => ({
  amount: 1000 + i,
  name: `Payer ${i}`,
  taxId: '012.345.678-90'
})

const STARK_KEYS = [
  'amount',
  'brcode',
  'created',
  'descriptions',
  'discountAmount',
  'discounts',
  'displayDescription',
  'due',
  'expiration',
  'fee',
  'fine',
  'fineAmount',
  'id',
  'interest',
  'interestAmount',
  'link',
  'name',
  'nominalAmount',
  'pdf',
  'rules',
  'splits',
  'status',
  'tags',
  'taxId',
  'transactionIds',
  'updated'
]

describe('invoice create and query', () => {
  it('When 150 invoices are created as 100 + 50, Then query pages through all of them', async () => {
    const first = await env.sdk.invoice.create(
      asInvoices(Array.from({ length: 100 }, (_, i) => person(i)))
    )
    const second = await env.sdk.invoice.create(
      asInvoices(Array.from({ length: 50 }, (_, i) => person(100 + i)))
    )
    expect(first).toHaveLength(100)
    expect(second).toHaveLength(50)

    const all = await collectAll<Invoice>(env.sdk.invoice.query({}))
    expect(all).toHaveLength(150)
    expect(new Set(all.map((inv) => inv.id)).size).toBe(150)
    const created = new Set([...first, ...second].map((inv) => inv.id))
    expect(all.every((inv) => created.has(inv.id))).toBe(true)

    expect(await collectAll(env.sdk.invoice.query({ limit: 120 }))).toHaveLength(120)
    expect(await collectAll(env.sdk.invoice.query({ limit: 150 }))).toHaveLength(150)
  })

  it("When an invoice is created, Then it has Stark's full key set, defaults and a valid brcode", async () => {
    const now = env.emulator.clock.now()
    const [inv] = await env.sdk.invoice.create(
      asInvoices([
        { amount: 12345, name: 'Arthur Dent', taxId: '01234567890', tags: ['War Supply'] }
      ])
    )
    const raw = env.emulator.core.state.invoices[inv!.id]!
    expect(Object.keys(raw).sort()).toEqual(STARK_KEYS)
    expect(inv).toMatchObject({
      amount: 12345,
      nominalAmount: 12345,
      fee: 0,
      fine: 2,
      interest: 1,
      expiration: 5097600,
      status: 'created',
      taxId: '012.345.678-90',
      tags: ['war supply'],
      transactionIds: [],
      discounts: [],
      descriptions: [],
      rules: [],
      splits: [],
      displayDescription: ''
    })
    expect(inv!.id).toMatch(/^\d{16}$/)
    expect(inv!.created).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/)
    expect(Date.parse(inv!.due) - now).toBeGreaterThanOrEqual(2 * 86_400_000 - 1)
    expect(Date.parse(inv!.due) - now).toBeLessThan(2 * 86_400_000 + 1000)

    const uuid = /invoicelink\/([0-9a-f]{32})$/.exec(inv!.link)?.[1]
    expect(uuid).toBeDefined()
    expect(inv!.pdf).toBe(`https://sandbox.api.starkbank.com/v2/invoice/${uuid}.pdf`)
    expect(inv!.brcode).toContain(`brcode-h.sandbox.starkinfra.com/v2/${uuid}`)
    expect(inv!.brcode.slice(-8, -4)).toBe('6304')
    expect(crc16(inv!.brcode.slice(0, -4))).toBe(inv!.brcode.slice(-4))
  })

  it('When query filters by status, tags and ids, Then only matching invoices come back', async () => {
    const [a, b, c] = await env.sdk.invoice.create(
      asInvoices([{ ...person(1), tags: ['alpha'] }, { ...person(2), tags: ['beta'] }, person(3)])
    )
    await env.sdk.invoice.update(c!.id, { status: 'canceled' })
    const byTag = await collectAll<Invoice>(env.sdk.invoice.query({ tags: ['ALPHA', 'beta'] }))
    expect(byTag.map((i) => i.id).sort()).toEqual([a!.id, b!.id].sort())
    const canceled = await collectAll<Invoice>(env.sdk.invoice.query({ status: 'canceled' }))
    expect(canceled.map((i) => i.id)).toEqual([c!.id])
    const byIds = await collectAll<Invoice>(env.sdk.invoice.query({ ids: [a!.id, c!.id] }))
    expect(byIds.map((i) => i.id).sort()).toEqual([a!.id, c!.id].sort())
    const today = new Date(env.emulator.clock.now()).toISOString().slice(0, 10)
    expect(await collectAll(env.sdk.invoice.query({ after: today, before: today }))).toHaveLength(3)
    expect(
      await collectAll(env.sdk.invoice.query({ after: '2000-01-01', before: '2000-01-02' }))
    ).toHaveLength(0)
  })
})

describe('invoice validation', () => {
  it('When 101 invoices are sent at once, Then a single invalidJson and nothing is created', async () => {
    const batch = asInvoices(Array.from({ length: 101 }, (_, i) => person(i)))
    expect(await starkErrors(() => env.sdk.invoice.create(batch))).toEqual({
      status: 400,
      codes: ['invalidJson']
    })
    expect(Object.keys(env.emulator.core.state.invoices)).toHaveLength(0)
  })

  it('When tax ids are invalid, Then each one gets invalidTaxId in one 400 and nothing is created', async () => {
    const bad = ['000.000.000-00', '00.000.000/0000-00', 'abc', 123, {}, '123.456.789-10']
    const batch = asInvoices([person(0), ...bad.map((taxId) => ({ ...person(1), taxId }))])
    const failure = await starkErrors(() => env.sdk.invoice.create(batch))
    expect(failure).toEqual({ status: 400, codes: bad.map(() => 'invalidTaxId') })
    expect(Object.keys(env.emulator.core.state.invoices)).toHaveLength(0)
  })

  it('When amounts are strings, negative, too large or objects, Then invalidAmount; 0 is accepted', async () => {
    for (const amount of ['123', -5, 10 ** 15, {}, 1.5]) {
      const failure = await starkErrors(() =>
        env.sdk.invoice.create(asInvoices([{ ...person(0), amount }]))
      )
      expect(failure.codes, JSON.stringify(amount)).toEqual(['invalidAmount'])
    }
    const [free] = await env.sdk.invoice.create(asInvoices([{ ...person(0), amount: 0 }]))
    expect(free!.amount).toBe(0)
  })

  it('When other fields are wrong, Then each gets its own code', async () => {
    const now = env.emulator.clock.now()
    const day = (n: number): string =>
      new Date(now + n * 86_400_000).toISOString().replace('Z', '+00:00')
    const cases: [Record<string, unknown>, string][] = [
      [{ extra: 1 }, 'invalidJson'],
      [{ name: '' }, 'invalidName'],
      [{ due: 'tomorrow' }, 'invalidDate'],
      [{ due: day(-1) }, 'invalidDue'],
      [{ expiration: -1 }, 'invalidExpiration'],
      [{ fine: 101 }, 'invalidFine'],
      [{ interest: 'x' }, 'invalidInterest'],
      [{ tags: 'x' }, 'invalidTags'],
      [{ descriptions: [{ key: 1 }] }, 'invalidDescription'],
      [{ descriptions: 'text' }, 'invalidDescription'],
      [
        {
          due: day(5),
          discounts: [
            { percentage: 5, due: day(1) },
            { percentage: 10, due: day(2) }
          ]
        },
        'invalidDiscount'
      ],
      [
        {
          due: day(5),
          discounts: Array.from({ length: 6 }, (_, i) => ({
            percentage: 10 - i,
            due: day(i * 0.5)
          }))
        },
        'invalidDiscount'
      ],
      [{ due: day(5), discounts: [{ percentage: 0, due: day(1) }] }, 'invalidDiscount'],
      [{ due: day(5), discounts: [{ percentage: 5, due: day(6) }] }, 'invalidDiscountDate'],
      [{ due: day(5), discounts: [{ percentage: 5, due: day(-1) }] }, 'invalidDiscountDate']
    ]
    for (const [fields, code] of cases) {
      const failure = await starkErrors(() =>
        env.sdk.invoice.create(asInvoices([{ ...person(0), ...fields }]))
      )
      expect(failure.codes, JSON.stringify(fields)).toEqual([code])
    }
    expect(
      await starkErrors(() =>
        env.sdk.invoice.create(asInvoices(['x' as unknown as Record<string, unknown>]))
      )
    ).toEqual({
      status: 400,
      codes: ['invalidJson']
    })
  })

  it('When blank descriptions and valid discounts are sent, Then they are accepted and normalized', async () => {
    const now = env.emulator.clock.now()
    const due = new Date(now + 5 * 86_400_000).toISOString()
    for (const descriptions of [null, {}, [], '', 0]) {
      const [inv] = await env.sdk.invoice.create(asInvoices([{ ...person(0), descriptions }]))
      expect(inv!.descriptions).toEqual([])
    }
    const dayAfter = new Date(now + 86_400_000).toISOString().slice(0, 10)
    const [inv] = await env.sdk.invoice.create(
      asInvoices([
        {
          ...person(0),
          due,
          fine: 2.5,
          interest: 1.3,
          discounts: [
            { percentage: 5, due: new Date(now + 2 * 86_400_000).toISOString() },
            { percentage: 10, due: dayAfter }
          ],
          descriptions: [{ key: 'Field1', value: 'Something' }, { key: 'Field2' }]
        }
      ])
    )
    expect(inv!.due).toBe(due.replace(/Z$/, '000+00:00'))
    expect(inv!.discounts.map((d) => d.percentage)).toEqual([10, 5])
    expect(
      inv!.discounts[0]!.due.startsWith(dayAfter) || Date.parse(inv!.discounts[0]!.due) > now
    ).toBe(true)
    expect(inv!.descriptions).toEqual([{ key: 'Field1', value: 'Something' }, { key: 'Field2' }])
    expect([inv!.fine, inv!.interest]).toEqual([2.5, 1.3])
  })
})

describe('invoice get, update, logs and payment', () => {
  it('When an invoice is read, changed and canceled, Then each step is logged and canceled is final', async () => {
    const [inv] = await env.sdk.invoice.create(asInvoices([person(7)]))
    const id = inv!.id
    expect((await env.sdk.invoice.get(id)).id).toBe(id)
    expect(await starkErrors(() => env.sdk.invoice.get('0'))).toEqual({
      status: 400,
      codes: ['invalidInvoice']
    })

    const changed = await env.sdk.invoice.update(id, { amount: 5000 })
    expect([changed.amount, changed.nominalAmount]).toEqual([5000, 5000])
    const due = new Date(env.emulator.clock.now() + 10 * 86_400_000)
      .toISOString()
      .replace('Z', '+00:00')
    const moved = await env.sdk.invoice.update(id, { due, expiration: 3600 })
    expect(Date.parse(moved.due)).toBe(Date.parse(due))
    expect(moved.expiration).toBe(3600)
    expect(await starkErrors(() => env.sdk.invoice.update(id, { status: 'paid' }))).toEqual({
      status: 400,
      codes: ['invalidStatus']
    })

    const canceled = await env.sdk.invoice.update(id, { status: 'canceled' })
    expect(canceled.status).toBe('canceled')
    expect(await starkErrors(() => env.sdk.invoice.update(id, { amount: 100 }))).toEqual({
      status: 400,
      codes: ['invalidOperation']
    })
    expect(Object.values(env.emulator.core.state.jobs)).toHaveLength(0)

    const logs = await collectAll<{ id: string; type: string; invoice: Invoice }>(
      env.sdk.invoice.log.query({ invoiceIds: [id] })
    )
    expect(logs.map((l) => l.type).reverse()).toEqual(['created', 'updated', 'updated', 'canceled'])
    expect(logs.at(-1)!.invoice.amount).toBe(1007)
    expect(logs[0]!.invoice.status).toBe('canceled')
    const one = await env.sdk.invoice.log.get(logs[0]!.id)
    expect(one.type).toBe('canceled')
    expect(await starkErrors(() => env.sdk.invoice.log.get('123'))).toEqual({
      status: 400,
      codes: ['invalidInvoiceLog']
    })
    const updatedOnly = await collectAll(
      env.sdk.invoice.log.query({ types: ['updated'], invoiceIds: [id] })
    )
    expect(updatedOnly).toHaveLength(2)
  })

  it('When the payment of an unpaid invoice is asked for, Then 400 invalidInvoice', async () => {
    const [inv] = await env.sdk.invoice.create(asInvoices([person(1)]))
    expect(await starkErrors(() => env.sdk.invoice.payment(inv!.id))).toEqual({
      status: 400,
      codes: ['invalidInvoice']
    })
    expect(await starkErrors(() => env.sdk.invoice.payment('42'))).toEqual({
      status: 400,
      codes: ['invalidInvoice']
    })
  })

  it('When invoices are created, Then every log is also an invoice event', async () => {
    await env.sdk.invoice.create(asInvoices([person(1), person(2)]))
    const events = Object.values(env.emulator.core.state.events)
    expect(
      events.filter((e) => e.subscription === 'invoice' && e.log.type === 'created')
    ).toHaveLength(2)
  })
})
