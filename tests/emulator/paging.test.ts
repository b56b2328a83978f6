/**
 * Indexed lists answer exactly what the old full scans answered: thousands of invoices, logs,
 * transfers, events and attempts in every status, with tags and spread over days, are paged through
 * with each filter the routes know (status, tags, ids, after/before, types, sort...), and every page
 * (items and cursor) is compared with the old implementation run on the same state
 * (tests/helpers/scan-listing.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Invoice } from '../../src/main/emulator/types'
import { rawRequest, signedHeaders } from '../helpers/raw-client'
import { scanList } from '../helpers/scan-listing'
import { startSdkEmulator, type SdkEmulator } from '../helpers/sdk-emulator'
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver'
import { DEFAULT_DESTINATION } from '../../src/shared/plan'

const HOUR = 3_600_000
const TAGS = ['alpha', 'beta', 'gamma', 'Delta']

let env: SdkEmulator
let receiver: WebhookReceiver
let startMs: number

const day = (offsetDays: number): string =>
  new Date(startMs + offsetDays * 24 * HOUR).toISOString().slice(0, 10)
const at = (offsetHours: number): string => new Date(startMs + offsetHours * HOUR).toISOString()

async function signedGet(pathAndQuery: string): Promise<Record<string, unknown>> {
  const res = await rawRequest(
    env.emulator.url,
    'GET',
    pathAndQuery,
    undefined,
    signedHeaders(env.projectId, env.keys.privatePem, '')
  )
  if (res.status !== 200)
    throw new Error(`GET ${pathAndQuery.slice(0, 200)} answered ${res.status}: ${res.text}`)
  return res.body as Record<string, unknown>
}

async function createInvoices(round: number, count: number): Promise<void> {
  for (let done = 0; done < count; done += 100) {
    const invoices = Array.from({ length: Math.min(100, count - done) }, (_, i) => {
      const n = round * 10_000 + done + i
      const short = n % 7 === 0
      return new env.sdk.Invoice({
        amount: 1_000 + ((n * 7919) % 90_000),
        name: 'Ana Souza',
        taxId: '012.345.678-90',
        tags: TAGS.filter((_, t) => (n >> t) % 3 === 0).slice(0, 2),
        // Some fall due within hours, so that they go overdue and expire during the test.
        ...(short
          ? {
              due: new Date(env.emulator.clock.now() + 2 * HOUR).toISOString(),
              expiration: n % 2 === 0 ? 3600 : 30 * 86_400
            }
          : {})
      })
    })
    await env.sdk.invoice.create(invoices)
  }
}

async function createTransfers(round: number, count: number): Promise<string[]> {
  const ids: string[] = []
  for (let done = 0; done < count; done += 100) {
    const transfers = Array.from({ length: Math.min(100, count - done) }, (_, i) => {
      const n = round * 10_000 + done + i
      return new env.sdk.Transfer({
        // Every 9th is too large for the balance and fails when processed.
        amount: n % 9 === 0 ? 900_000_000 : 100 + (n % 500),
        ...DEFAULT_DESTINATION,
        externalId: `paging-${n}`,
        tags: TAGS.filter((_, t) => (n >> t) % 2 === 0).slice(0, 2)
      })
    })
    for (const t of await env.sdk.transfer.create(transfers)) ids.push(t.id)
  }
  return ids
}

beforeAll(async () => {
  env = await startSdkEmulator({
    seed: 17,
    behaviour: {
      autoPayRatio: 0.6,
      payDelaySeconds: [60, 5 * 3600],
      creditDelaySeconds: [30, 1800],
      retryMinutes: [5]
    }
  })
  startMs = env.emulator.clock.now()
  receiver = await startWebhookReceiver(() => env.emulator.clock.now())
  const webhook = await env.sdk.webhook.create({
    url: receiver.url,
    subscriptions: ['invoice', 'transfer']
  })
  await createInvoices(0, 500)
  await env.emulator.clock.advance(2 * HOUR)
  // Then the receiver fails: attempts, and events left undelivered.
  receiver.status = 500
  await env.emulator.clock.advance(4 * HOUR)
  await env.sdk.webhook.delete(webhook.id)

  for (let round = 1; round <= 3; round++) {
    await createInvoices(round, 500)
    await env.emulator.clock.advance(9 * HOUR)
  }
  const open = Object.values(env.emulator.core.state.invoices).filter((i) => i.status === 'created')
  for (const invoice of open.slice(0, 25))
    await env.sdk.invoice.update(invoice.id, { status: 'canceled' })

  const transferIds = await createTransfers(0, 600)
  for (const id of transferIds.slice(3, 23)) await env.sdk.transfer.delete(id)
  await env.emulator.clock.advance(HOUR)
  await createTransfers(1, 300)
  await env.emulator.clock.advance(3_000)
  // The last ones are still waiting to be processed.
  await createTransfers(2, 100)
  await env.emulator.clock.advance(1_000)
  for (const event of Object.values(env.emulator.core.state.events).slice(0, 40))
    await env.sdk.event.update(event.id, { isDelivered: true })
}, 240_000)

afterAll(async () => {
  await env?.stop()
  await receiver?.close()
})

type Params = Record<string, string | undefined>

const definedOnly = (params: Params): Record<string, string> =>
  Object.fromEntries(
    Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined)
  )

/** Pages through `path?query` with `limit`, comparing every page with the old scan. */
async function compareAllPages(
  path: string,
  params: Params,
  limit: number,
  between?: () => Promise<void>
): Promise<number> {
  let cursor: string | null = null
  let seen = 0
  let pages = 0
  do {
    const query = new URLSearchParams({ ...definedOnly(params), limit: String(limit) })
    if (cursor) query.set('cursor', cursor)
    const expected = JSON.parse(
      JSON.stringify(scanList(env.emulator.core.state, path, query))
    ) as Record<string, unknown>
    const got = await signedGet(`${path}?${query.toString()}`)
    // Comparing the JSON texts is fast; a difference is shown in full by toEqual.
    if (JSON.stringify(got) !== JSON.stringify(expected))
      expect(got, `${path}?${query.toString().slice(0, 200)} (page ${pages + 1})`).toEqual(expected)
    const key = Object.keys(got).find((k) => k !== 'cursor') as string
    seen += (got[key] as unknown[]).length
    cursor = got.cursor as string | null
    pages++
    if (between) await between()
  } while (cursor)
  return seen
}

const invoiceIds = (): string[] => Object.keys(env.emulator.core.state.invoices)
const someIds = (ids: string[], step: number): string =>
  ids.filter((_, i) => i % step === 0).join(',')

describe('indexed lists match the old scans', () => {
  it('When the data set is built, Then it holds thousands of records in every state', () => {
    const { state } = env.emulator.core
    const statuses = new Set(Object.values(state.invoices).map((i: Invoice) => i.status))
    expect(Object.keys(state.invoices).length).toBe(2000)
    expect([...statuses].sort()).toEqual(['canceled', 'created', 'expired', 'overdue', 'paid'])
    expect(Object.keys(state.invoiceLogs).length).toBeGreaterThan(4000)
    expect(Object.keys(state.events).length).toBeGreaterThan(6000)
    expect(new Set(Object.values(state.transfers).map((t) => t.status))).toEqual(
      new Set(['canceled', 'failed', 'success', 'processing', 'created'])
    )
    expect(Object.keys(state.attempts).length).toBeGreaterThan(50)
    const delivered = Object.values(state.events).filter((e) => e.isDelivered).length
    expect(delivered).toBeGreaterThan(100)
    expect(delivered).toBeLessThan(Object.keys(state.events).length)
  })

  it('When invoices are paged with each filter, Then every page is the old one', async () => {
    const ids = invoiceIds()
    const cases: Params[] = [
      {},
      { status: 'paid' },
      { status: 'created,overdue' },
      { status: 'expired' },
      { tags: 'alpha' },
      { tags: 'beta,DELTA' },
      { tags: 'nobody' },
      { status: 'paid', tags: 'gamma' },
      { after: day(0), before: day(0) },
      { after: day(1) },
      { before: day(0) },
      { after: at(7), before: at(20) },
      { ids: `${someIds(ids, 37)},9999999999999999` },
      { ids: someIds(ids, 11), status: 'paid,canceled' },
      { tags: 'alpha,gamma', after: at(10), status: 'created,paid,overdue' }
    ]
    for (const params of cases) {
      const seen = await compareAllPages('/v2/invoice', params, 100)
      if (Object.keys(params).length === 0) expect(seen).toBe(ids.length)
    }
    await compareAllPages('/v2/invoice', { tags: 'beta' }, 37)
  })

  it('When invoice logs are paged with each filter, Then every page is the old one', async () => {
    const ids = invoiceIds()
    for (const params of [
      {},
      { types: 'paid,credited' },
      { types: 'expired' },
      { invoiceIds: someIds(ids, 29) },
      { after: at(5), before: at(15) },
      { types: 'created', after: day(1) }
    ])
      await compareAllPages('/v2/invoice/log', params, 100)
  })

  it('When transfers are paged in each order and filter, Then every page is the old one', async () => {
    const ids = Object.keys(env.emulator.core.state.transfers)
    for (const params of [
      {},
      { sort: 'created' },
      { sort: 'updated' },
      { sort: '-updated', status: 'success' },
      { status: 'failed,canceled' },
      { tags: 'alpha' },
      { tags: 'beta', sort: 'updated' },
      { after: at(33), before: at(40) },
      { ids: someIds(ids, 13) },
      { ids: someIds(ids, 7), sort: 'updated', status: 'success,failed' },
      { taxId: '20018183000180', status: 'processing,created' }
    ])
      await compareAllPages('/v2/transfer', params, 100)
    await compareAllPages('/v2/transfer', { sort: '-updated' }, 41)
  })

  it('When transfer logs, events and attempts are paged, Then every page is the old one', async () => {
    const { state } = env.emulator.core
    await compareAllPages('/v2/transfer/log', {}, 100)
    await compareAllPages('/v2/transfer/log', { types: 'failed,canceled' }, 100)
    await compareAllPages(
      '/v2/transfer/log',
      { transferIds: someIds(Object.keys(state.transfers), 9) },
      100
    )
    for (const params of [
      {},
      { isDelivered: 'false' },
      { isDelivered: 'true' },
      { isDelivered: 'false', after: at(10) },
      { after: at(1), before: at(6) }
    ])
      await compareAllPages('/v2/event', params, 100)
    const events = Object.keys(state.events)
    for (const params of [{}, { eventIds: someIds(events, 60) }, { after: at(2) }])
      await compareAllPages('/v2/event/attempt', params, 100)
  })

  it('When records are created and change status between two pages, Then each page is still the old one', async () => {
    let round = 10
    await compareAllPages('/v2/invoice', { status: 'created,paid' }, 100, async () => {
      await createInvoices(round++, 30)
      await env.emulator.clock.advance(HOUR / 3)
    })
    await compareAllPages('/v2/event', { isDelivered: 'false' }, 100, async () => {
      const pending = Object.values(env.emulator.core.state.events).find((e) => !e.isDelivered)
      if (pending) await env.sdk.event.update(pending.id, { isDelivered: true })
    })
  })
})
