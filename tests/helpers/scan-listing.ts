/**
 * The emulator's list routes as they were before indexes (commit 617039d): every record filtered,
 * the full list sorted, the cursor applied by comparison. Kept as the reference the indexed routes
 * must match page for page.
 */
import type { EmulatorState } from '../../src/main/emulator/types'

interface Listable {
  id: string
  created: string
}

interface ListOrder<T> {
  value: (item: T) => string
  descending: boolean
}

interface Position {
  value: string
  id: string
}

const NEWEST_FIRST: ListOrder<Listable> = { value: (item) => item.created, descending: true }

const compareAt = (a: Position, b: Position, descending: boolean): number => {
  const ascending =
    a.value === b.value ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.value < b.value ? -1 : 1
  return descending ? -ascending : ascending
}

function page<T extends Listable>(
  items: Iterable<T>,
  query: URLSearchParams,
  key: string,
  order: ListOrder<T> = NEWEST_FIRST
): Record<string, unknown> {
  const limit = Number(query.get('limit') || 100)
  const rawCursor = query.get('cursor')
  const at = (item: T): Position => ({ value: order.value(item), id: item.id })
  let sorted = [...items].sort((a, b) => compareAt(at(a), at(b), order.descending))
  if (rawCursor) {
    const [value, id] = JSON.parse(Buffer.from(rawCursor, 'base64url').toString('utf8')) as [
      string,
      string
    ]
    sorted = sorted.filter((item) => compareAt(at(item), { value, id }, order.descending) > 0)
  }
  const slice = sorted.slice(0, limit)
  const last = slice[slice.length - 1]
  const cursor =
    sorted.length > limit && last
      ? Buffer.from(JSON.stringify([order.value(last), last.id])).toString('base64url')
      : null
  return { cursor, [key]: slice }
}

function listParam(query: URLSearchParams, name: string): string[] | undefined {
  const raw = query.get(name)
  if (raw === null || raw === '') return undefined
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}

function dateFilter(query: URLSearchParams): (created: string) => boolean {
  const bound = (name: string, endOfDay: boolean): number | undefined => {
    const raw = query.get(name)
    if (raw === null || raw === '') return undefined
    const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(raw)
    const ms = Date.parse(dateOnly ? `${raw}T00:00:00Z` : raw)
    return dateOnly && endOfDay ? ms + 86_400_000 - 1 : ms
  }
  const after = bound('after', false)
  const before = bound('before', true)
  return (created) => {
    const t = Date.parse(created)
    return (after === undefined || t >= after) && (before === undefined || t <= before)
  }
}

const hasAnyTag = (tags: readonly string[], wanted: readonly string[] | undefined): boolean =>
  !wanted || wanted.some((tag) => tags.includes(tag.toLowerCase()))

const digitsOnly = (value: string): string => value.replace(/\D/g, '')

const TRANSFER_SORTS: Record<string, ListOrder<EmulatorState['transfers'][string]>> = {
  '-created': { value: (t) => t.created, descending: true },
  created: { value: (t) => t.created, descending: false },
  '-updated': { value: (t) => t.updated, descending: true },
  updated: { value: (t) => t.updated, descending: false }
}

/** What the old route answered for `path?query` on `state`. */
export function scanList(
  state: EmulatorState,
  path: string,
  query: URLSearchParams
): Record<string, unknown> {
  const inRange = dateFilter(query)
  switch (path) {
    case '/v2/invoice': {
      const statuses = listParam(query, 'status')
      const tags = listParam(query, 'tags')
      const ids = listParam(query, 'ids')
      const matches = Object.values(state.invoices).filter(
        (inv) =>
          (!statuses || statuses.includes(inv.status)) &&
          (!ids || ids.includes(inv.id)) &&
          hasAnyTag(inv.tags, tags) &&
          inRange(inv.created)
      )
      return page(matches, query, 'invoices')
    }
    case '/v2/invoice/log': {
      const invoiceIds = listParam(query, 'invoiceIds')
      const types = listParam(query, 'types')
      const matches = Object.values(state.invoiceLogs).filter(
        (log) =>
          (!invoiceIds || invoiceIds.includes(log.invoice.id)) &&
          (!types || types.includes(log.type)) &&
          inRange(log.created)
      )
      return page(matches, query, 'logs')
    }
    case '/v2/transfer': {
      const order = TRANSFER_SORTS[query.get('sort') || '-created']
      const statuses = listParam(query, 'status')
      const tags = listParam(query, 'tags')
      const ids = listParam(query, 'ids')
      const transactionIds = listParam(query, 'transactionIds')
      const taxId = query.get('taxId')
      const items = Object.values(state.transfers).filter(
        (t) =>
          (!statuses || statuses.includes(t.status)) &&
          hasAnyTag(t.tags, tags) &&
          (!ids || ids.includes(t.id)) &&
          (!transactionIds || t.transactionIds.some((id) => transactionIds.includes(id))) &&
          (!taxId || digitsOnly(t.taxId) === digitsOnly(taxId)) &&
          inRange(t.created)
      )
      return page(items, query, 'transfers', order)
    }
    case '/v2/transfer/log': {
      const transferIds = listParam(query, 'transferIds')
      const types = listParam(query, 'types')
      const items = Object.values(state.transferLogs).filter(
        (log) =>
          (!transferIds || transferIds.includes(log.transfer.id)) &&
          (!types || types.includes(log.type)) &&
          inRange(log.created)
      )
      return page(items, query, 'logs')
    }
    case '/v2/event': {
      const raw = query.get('isDelivered')
      const delivered = raw === null || raw === '' ? undefined : raw === 'true'
      const events = Object.values(state.events).filter(
        (event) =>
          (delivered === undefined || event.isDelivered === delivered) && inRange(event.created)
      )
      return page(events, query, 'events')
    }
    case '/v2/event/attempt': {
      const eventIds = listParam(query, 'eventIds')
      const webhookIds = listParam(query, 'webhookIds')
      const attempts = Object.values(state.attempts).filter(
        (attempt) =>
          (!eventIds || eventIds.includes(attempt.eventId)) &&
          (!webhookIds || webhookIds.includes(attempt.webhookId)) &&
          inRange(attempt.created)
      )
      return page(attempts, query, 'attempts')
    }
    default:
      throw new Error(`no reference for ${path}`)
  }
}
