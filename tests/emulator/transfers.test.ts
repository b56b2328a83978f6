/**
 * The transfer resource through the real `starkbank` SDK: batch create and its validation, Stark's
 * duplicate filters, get, cancel, query with pagination and filters, and the created → processing →
 * success lifecycle with its logs and the balance it debits. The clock is manual.
 */
import type { Transfer } from 'starkbank'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { postLedger } from '../../src/main/emulator/account'
import { rawRequest, signedHeaders } from '../helpers/raw-client'
import { starkErrors, startSdkEmulator, type SdkEmulator } from '../helpers/sdk-emulator'
import { collectAll } from '../../src/main/stark/client'

const START = Date.UTC(2024, 2, 6, 12, 0, 0)
const DAY = 86_400_000

// The challenge's receiver (shared/stark-api.md §6).
const STARK_ACCOUNT = {
  name: 'Stark Bank S.A.',
  taxId: '20.018.183/0001-80',
  bankCode: '20018183',
  branchCode: '0001',
  accountNumber: '6341320293482496',
  accountType: 'payment'
}

let env: SdkEmulator

beforeEach(async () => {
  env = await startSdkEmulator({ startAt: START })
})
afterEach(() => env.stop())

const transfer = (fields: Record<string, unknown>): Transfer =>
  ({ ...STARK_ACCOUNT, ...fields }) as unknown as Transfer

const create = (fields: Record<string, unknown>[]): Promise<Transfer[]> =>
  env.sdk.transfer.create(fields.map(transfer))

// query() is an async function that resolves to an async generator (its typings say Promise<T[]>).
const queryTransfers = (params: Record<string, unknown> = {}): Promise<Transfer[]> =>
  collectAll<Transfer>(env.sdk.transfer.query(params))

const logTypes = async (transferId: string): Promise<string[]> =>
  (
    await collectAll<{ type: string }>(env.sdk.transfer.log.query({ transferIds: [transferId] }))
  ).map((log) => log.type)

async function firstError(fn: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await fn()
  } catch (error) {
    const first = (error as { errors?: { code: string; message: string }[] }).errors?.[0]
    if (first) return first
    throw error
  }
  throw new Error('expected the call to fail')
}

const deposit = (amount: number): void => {
  postLedger(env.emulator.core, amount, 'test deposit', 'test')
}

const seconds = (s: number): Promise<number> => env.emulator.clock.advance(s * 1000)

describe('create', () => {
  it('When one transfer is created, Then it comes back in Stark shape and get returns it', async () => {
    const [created] = await create([{ amount: 1234, externalId: 'ext-1', tags: ['Invoice-42'] }])
    expect(created).toMatchObject({
      ...STARK_ACCOUNT,
      amount: 1234,
      externalId: 'ext-1',
      tags: ['invoice-42'],
      fee: 0,
      status: 'created',
      transactionIds: [],
      metadata: {}
    })
    expect(created!.id).toMatch(/^\d{16}$/)
    expect(created!.scheduled).toMatch(/^2024-03-06T12:00:00\.\d{6}\+00:00$/)
    const got = await env.sdk.transfer.get(created!.id)
    expect(got).toMatchObject({ id: created!.id, amount: 1234, status: 'created' })
    expect(await logTypes(created!.id)).toEqual(['created'])
  })

  it('When 100 are sent at once, Then all are created; 101 give a single invalidJson', async () => {
    const batch = (n: number, prefix: string): Record<string, unknown>[] =>
      Array.from({ length: n }, (_, i) => ({ amount: 100 + i, externalId: `${prefix}-${i}` }))
    expect(await create(batch(100, 'a'))).toHaveLength(100)
    expect(await starkErrors(() => create(batch(101, 'b')))).toEqual({
      status: 400,
      codes: ['invalidJson']
    })
    expect(await queryTransfers()).toHaveLength(100)
  })

  it('When some elements are invalid, Then each gets one error, in order, and none is created', async () => {
    const failure = await starkErrors(() =>
      create([
        { amount: 100, externalId: 'ok' },
        { amount: 0, externalId: 'zero' },
        { amount: 100, externalId: 'tax', taxId: '123.456.789-10' },
        { amount: 100, externalId: 'bank', bankCode: '1234' },
        { externalId: 'missing-amount' },
        { amount: 100, externalId: 'type', accountType: 'current' },
        { amount: 100, externalId: 'past', scheduled: '2024-03-05' },
        { amount: 100, externalId: 'rule', rules: [{ key: 'resendingLimit', value: 'x' }] }
      ])
    )
    expect(failure).toEqual({
      status: 400,
      codes: [
        'invalidAmount',
        'invalidTaxId',
        'invalidBankCode',
        'invalidJson',
        'invalidAccountType',
        'invalidDate',
        'invalidRule'
      ]
    })
    expect(await queryTransfers()).toEqual([])
  })

  it('When the tax id is invalid or the amount zero, Then invalidTaxId and invalidAmount', async () => {
    expect(
      await starkErrors(() => create([{ amount: 10, taxId: '000.000.000-00', externalId: 'x' }]))
    ).toEqual({ status: 400, codes: ['invalidTaxId'] })
    expect(await starkErrors(() => create([{ amount: 0, externalId: 'y' }]))).toEqual({
      status: 400,
      codes: ['invalidAmount']
    })
  })
})

describe('raw requests', () => {
  const post = async (body: unknown): Promise<{ status: number; codes: string[] }> => {
    const text = JSON.stringify(body)
    const headers = signedHeaders(env.projectId, env.keys.privatePem, text)
    const res = await rawRequest(env.emulator.url, 'POST', '/v2/transfer', text, headers)
    const errors = (res.body as { errors?: { code: string }[] }).errors ?? []
    return { status: res.status, codes: errors.map((e) => e.code) }
  }

  it('When the body is not {transfers:[...]} or an element has unknown keys, Then invalidJson', async () => {
    expect(await post({})).toEqual({ status: 400, codes: ['invalidJson'] })
    expect(await post({ transfers: 'x' })).toEqual({ status: 400, codes: ['invalidJson'] })
    expect(await post({ transfers: [] })).toEqual({ status: 400, codes: ['invalidJson'] })
    const unknownKey = { ...STARK_ACCOUNT, amount: 1, externalId: 'k', color: 'red' }
    const wrongType = { ...STARK_ACCOUNT, amount: '100', externalId: 'm' }
    expect(await post({ transfers: [unknownKey, wrongType, 7] })).toEqual({
      status: 400,
      codes: ['invalidJson', 'invalidAmount', 'invalidJson']
    })
  })
})

describe('duplicates', () => {
  it('When an externalId repeats, across requests or within one, Then invalidExternalId', async () => {
    const [first] = await create([{ amount: 500, externalId: 'credit-1' }])
    const again = await firstError(() => create([{ amount: 700, externalId: 'credit-1' }]))
    expect(again).toMatchObject({
      code: 'invalidExternalId',
      message: expect.stringContaining(
        `externalId credit-1 was already used by transfer ${first!.id}`
      )
    })
    const within = await starkErrors(() =>
      create([
        { amount: 1, externalId: 'same' },
        { amount: 2, externalId: 'same' }
      ])
    )
    expect(within).toEqual({ status: 400, codes: ['invalidExternalId'] })
    expect(await queryTransfers()).toHaveLength(1)
  })

  it('When amount and account repeat on one day without externalId, Then repeatedTransfer; the next day it is accepted', async () => {
    // Funded, so that the earlier transfers succeed and keep blocking repeats.
    deposit(1_000_000)
    await create([{ amount: 950 }])
    expect(await starkErrors(() => create([{ amount: 950 }]))).toEqual({
      status: 400,
      codes: ['repeatedTransfer']
    })
    expect(await starkErrors(() => create([{ amount: 300 }, { amount: 300 }]))).toEqual({
      status: 400,
      codes: ['repeatedTransfer']
    })
    // A different amount, or the same amount with an externalId, is a deliberate transfer.
    expect(await create([{ amount: 951 }, { amount: 950, externalId: 'deliberate' }])).toHaveLength(
      2
    )
    await seconds(DAY / 1000)
    expect(await create([{ amount: 950 }])).toHaveLength(1)
  })

  it('When the earlier same-day transfer failed, Then the repeat is accepted', async () => {
    const [first] = await create([{ amount: 800 }])
    await seconds(3)
    expect((await env.sdk.transfer.get(first!.id)).status).toBe('failed')
    expect(await create([{ amount: 800 }])).toHaveLength(1)
  })
})

describe('lifecycle', () => {
  it('When the balance covers it, Then created → processing → success with a log at each step and the balance debited', async () => {
    deposit(10_000)
    const [created] = await create([{ amount: 2_500, externalId: 'pay-1' }])
    const id = created!.id
    await seconds(2)
    const processing = await env.sdk.transfer.get(id)
    expect(processing.status).toBe('processing')
    expect(processing.transactionIds).toHaveLength(1)
    expect(processing.transactionIds[0]).toMatch(/^\d{32}$/)
    expect((await env.sdk.balance.get()).amount).toBe(7_500)
    expect(await logTypes(id)).toEqual(['processing', 'created'])

    await seconds(5)
    expect((await env.sdk.transfer.get(id)).status).toBe('success')
    const logs = await collectAll<{ id: string; type: string; transfer: { status: string } }>(
      env.sdk.transfer.log.query({ transferIds: [id] })
    )
    expect(logs.map((l) => [l.type, l.transfer.status])).toEqual([
      ['success', 'success'],
      ['processing', 'processing'],
      ['created', 'created']
    ])
    const single = await env.sdk.transfer.log.get(logs[0]!.id)
    expect(single).toMatchObject({ id: logs[0]!.id, type: 'success' })
    expect((await env.sdk.balance.get()).amount).toBe(7_500)
    const events = Object.values(env.emulator.core.state.events).filter(
      (e) => e.subscription === 'transfer'
    )
    expect(events.map((e) => e.log.type).sort()).toEqual(['created', 'processing', 'success'])
  })

  it('When the fee is set, Then processing debits amount plus fee', async () => {
    env.emulator.core.config.transferFee = 160
    deposit(1_000)
    const [created] = await create([
      {
        amount: 500,
        externalId: 'ted',
        bankCode: '341',
        branchCode: '1234-5',
        accountNumber: '12345-6'
      }
    ])
    expect(created!.fee).toBe(160)
    await seconds(2)
    expect((await env.sdk.transfer.get(created!.id)).transactionIds).toHaveLength(2)
    expect((await env.sdk.balance.get()).amount).toBe(340)
  })

  it('When the balance is short, Then the transfer fails with a failed log and no debit', async () => {
    deposit(100)
    const [created] = await create([{ amount: 101, externalId: 'too-much' }])
    await seconds(2)
    const failed = await env.sdk.transfer.get(created!.id)
    expect(failed.status).toBe('failed')
    expect(failed.transactionIds).toEqual([])
    const [log] = await collectAll<{ type: string; errors: string[] }>(
      env.sdk.transfer.log.query({ transferIds: [created!.id], types: ['failed'] })
    )
    expect(log!.errors).toEqual([expect.stringContaining('insufficientBalance')])
    expect((await env.sdk.balance.get()).amount).toBe(100)
    await seconds(60)
    expect(await logTypes(created!.id)).toEqual(['failed', 'created'])
  })

  it('When canceled before processing, Then it is canceled and never runs; after processing, invalidOperation', async () => {
    deposit(10_000)
    const [a, b] = await create([
      { amount: 100, externalId: 'cancel-me' },
      { amount: 200, externalId: 'keep-me' }
    ])
    const canceled = await env.sdk.transfer.delete(a!.id)
    expect(canceled.status).toBe('canceled')
    await seconds(10)
    expect((await env.sdk.transfer.get(a!.id)).status).toBe('canceled')
    expect(await logTypes(a!.id)).toEqual(['canceled', 'created'])
    expect((await env.sdk.balance.get()).amount).toBe(9_800)

    expect(await firstError(() => env.sdk.transfer.delete(b!.id))).toMatchObject({
      code: 'invalidOperation',
      message: expect.stringContaining('already')
    })
    expect(await starkErrors(() => env.sdk.transfer.delete(a!.id))).toEqual({
      status: 400,
      codes: ['invalidOperation']
    })
  })

  it('When scheduled for a later day, Then it waits until that day', async () => {
    deposit(1_000)
    const [created] = await create([{ amount: 100, externalId: 'later', scheduled: '2024-03-08' }])
    expect(created!.scheduled).toBe('2024-03-08T00:00:00.000000+00:00')
    await seconds(DAY / 1000)
    expect((await env.sdk.transfer.get(created!.id)).status).toBe('created')
    await seconds(DAY / 1000)
    expect((await env.sdk.transfer.get(created!.id)).status).toBe('success')
    expect(
      await starkErrors(() =>
        create([{ amount: 5, externalId: 'past', scheduled: '2024-03-07T00:00:00+00:00' }])
      )
    ).toEqual({ status: 400, codes: ['invalidDateTime'] })
  })
})

describe('get and query', () => {
  it('When the id is unknown, Then invalidTransfer; an unknown log id gives invalidTransferLog', async () => {
    expect(await starkErrors(() => env.sdk.transfer.get('1234567890123456'))).toEqual({
      status: 400,
      codes: ['invalidTransfer']
    })
    expect(await starkErrors(() => env.sdk.transfer.log.get('1234567890123456'))).toEqual({
      status: 400,
      codes: ['invalidTransferLog']
    })
  })

  it('When many transfers exist, Then query pages through all once, newest first, and filters', async () => {
    const batch = (from: number, n: number, tag: string): Record<string, unknown>[] =>
      Array.from({ length: n }, (_, i) => ({
        amount: from + i,
        externalId: `q-${from + i}`,
        tags: [tag]
      }))
    const first = await create(batch(1, 100, 'first'))
    await seconds(1)
    const second = await create(batch(101, 50, 'second'))

    const all = await queryTransfers()
    expect(all).toHaveLength(150)
    expect(new Set(all.map((t) => t.id)).size).toBe(150)
    expect(all.slice(0, 50).every((t) => t.tags?.includes('second'))).toBe(true)

    const limited = await queryTransfers({ limit: 120 })
    expect(limited.map((t) => t.id)).toEqual(all.slice(0, 120).map((t) => t.id))

    const [page1, cursor] = (await env.sdk.transfer.page({ limit: 40 })) as unknown as [
      Transfer[],
      string | null
    ]
    expect(page1.map((t) => t.id)).toEqual(all.slice(0, 40).map((t) => t.id))
    expect(cursor).toBeTruthy()

    const ascending = await queryTransfers({ sort: 'created' })
    expect(ascending.map((t) => t.id)).toEqual(all.map((t) => t.id).reverse())

    expect(await queryTransfers({ tags: ['FIRST'] })).toHaveLength(100)
    const ids = [first[3]!.id, second[7]!.id]
    expect((await queryTransfers({ ids })).map((t) => t.id).sort()).toEqual([...ids].sort())

    // Still before processing (+2 s), but later than every creation, for the -updated sort.
    await env.emulator.clock.advance(500)
    await env.sdk.transfer.delete(first[0]!.id)
    await env.sdk.transfer.delete(first[1]!.id)
    const canceled = await queryTransfers({ status: 'canceled' })
    expect(canceled.map((t) => t.id).sort()).toEqual([first[0]!.id, first[1]!.id].sort())
    expect(await queryTransfers({ status: 'created', limit: 500 })).toHaveLength(148)
    expect(await queryTransfers({ taxId: '20018183000180' })).toHaveLength(150)

    const recent = await queryTransfers({ sort: '-updated', limit: 2 })
    expect(recent.map((t) => t.id).sort()).toEqual([first[0]!.id, first[1]!.id].sort())
    expect(await starkErrors(() => queryTransfers({ sort: 'amount' }))).toEqual({
      status: 400,
      codes: ['invalidSort']
    })
  })
})
