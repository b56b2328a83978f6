/**
 * Listing helpers shared by every query route: Stark's filters and cursor pagination. Lists are newest
 * first; the cursor names the last item returned (created, id), so items created between two pages
 * neither repeat nor shift the next page. The last page answers `cursor: null` (a non-null cursor with
 * an empty page makes the SDK's `query()` loop forever). Pages are read from the collection's indexes
 * (list-index.ts), so a page costs about its length, not the collection's size.
 */
import { StarkError } from './errors'
import type { ListIndex, ListQuery } from './list-index'
import type { KeyRange, Position } from './ordered-ids'

export const MAX_LIMIT = 100

/** A list's order: one of its index's orders, newest or oldest first. */
export interface ListOrder {
  order: string
  descending: boolean
}

const NEWEST_FIRST: ListOrder = { order: 'created', descending: true }

const encodeCursor = (at: Position): string =>
  Buffer.from(JSON.stringify([at.key, at.id])).toString('base64url')

function decodeCursor(cursor: string): Position {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown
    if (Array.isArray(parsed) && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
      return { key: parsed[0], id: parsed[1] }
    }
  } catch {
    // fall through to the error below
  }
  throw StarkError.of('invalidCursor', 'The provided cursor is not valid')
}

export function readLimit(query: URLSearchParams): number {
  const raw = query.get('limit')
  if (raw === null || raw === '') return MAX_LIMIT
  const limit = Number(raw)
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw StarkError.of(
      'invalidLimit',
      `limit must be an integer from 1 to ${MAX_LIMIT}, got ${raw}`
    )
  }
  return limit
}

export type PageFilter<T> = Pick<ListQuery<T>, 'anyOf' | 'ids' | 'created' | 'matches'>

/**
 * One page of an indexed list (default: newest first by `created`). The cursor names the last item
 * returned, and the next page is read from there in the index: nothing is sorted per request.
 */
export function page<T extends { id: string }>(
  index: ListIndex<T>,
  query: URLSearchParams,
  key: string,
  filter: PageFilter<T>,
  order: ListOrder = NEWEST_FIRST
): Record<string, unknown> {
  const limit = readLimit(query)
  const rawCursor = query.get('cursor')
  const result = index.query({
    ...filter,
    ...order,
    after: rawCursor ? decodeCursor(rawCursor) : undefined,
    limit
  })
  return { cursor: result.next ? encodeCursor(result.next) : null, [key]: result.items }
}

/** A comma-separated list parameter (`ids=1%2C2` arrives as `1,2`). */
export function listParam(query: URLSearchParams, name: string): string[] | undefined {
  const raw = query.get(name)
  if (raw === null || raw === '') return undefined
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}

/**
 * `after`/`before` filters on creation time. The SDK sends `YYYY-MM-DD` for invoices and passes other
 * values raw, so both dates (inclusive whole days) and ISO datetimes are accepted.
 */
export interface DateRange {
  /** Exact test of a record's `created`. */
  matches: (created: string) => boolean
  /** Bounds on `created` for an index walk (looser or equal, never tighter). */
  keys: KeyRange
}

/** Stamps are `YYYY-MM-DDTHH:MM:SS.mmmuuu+00:00`, which sort as their times do from year 0 to 9999. */
const MAX_STAMP_MS = 253_402_300_799_999

/** The stamp prefix of `ms`: every stamp of that millisecond or later sorts at or after it. */
const stampPrefix = (ms: number): string | undefined =>
  ms >= 0 && ms <= MAX_STAMP_MS ? new Date(ms).toISOString().slice(0, 23) : undefined

export function dateRange(query: URLSearchParams): DateRange {
  const bound = (name: string, endOfDay: boolean): number | undefined => {
    const raw = query.get(name)
    if (raw === null || raw === '') return undefined
    const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(raw)
    const ms = Date.parse(dateOnly ? `${raw}T00:00:00Z` : raw)
    if (Number.isNaN(ms))
      throw StarkError.of('invalidDate', `${name} must be a date or datetime, got ${raw}`)
    return dateOnly && endOfDay ? ms + 86_400_000 - 1 : ms
  }
  const after = bound('after', false)
  const before = bound('before', true)
  const keys: KeyRange = {}
  // Date.parse drops microseconds: a stamp is in range when its millisecond is.
  if (after !== undefined) keys.from = stampPrefix(Math.ceil(after))
  if (before !== undefined) keys.to = stampPrefix(Math.floor(before) + 1)
  return {
    keys,
    matches: (created) => {
      const t = Date.parse(created)
      return (after === undefined || t >= after) && (before === undefined || t <= before)
    }
  }
}

/** Matches when the record carries at least one of the requested tags. */
export function hasAnyTag(tags: readonly string[], wanted: readonly string[] | undefined): boolean {
  return !wanted || wanted.some((tag) => tags.includes(tag.toLowerCase()))
}
