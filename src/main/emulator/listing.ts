/**
 * Listing helpers shared by every query route: Stark's filters and cursor pagination. Lists are newest
 * first; the cursor names the last item returned (created, id), so items created between two pages
 * neither repeat nor shift the next page. The last page answers `cursor: null` (a non-null cursor with
 * an empty page makes the SDK's `query()` loop forever).
 */
import { StarkError } from './errors'

export const MAX_LIMIT = 100

interface Listable {
  id: string
  created: string
}

/**
 * The order of a list: a sortable string field (ISO datetimes compare as strings) with the id as the
 * tie-breaker, so that the order is total and a cursor (value, id) marks an exact position in it.
 */
export interface ListOrder<T> {
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

function decodeCursor(cursor: string): Position {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown
    if (Array.isArray(parsed) && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
      return { value: parsed[0], id: parsed[1] }
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

/** One page of `items` in `order` (default: newest first by `created`). */
export function page<T extends Listable>(
  items: Iterable<T>,
  query: URLSearchParams,
  key: string,
  order: ListOrder<T> = NEWEST_FIRST
): Record<string, unknown> {
  const limit = readLimit(query)
  const rawCursor = query.get('cursor')
  const at = (item: T): Position => ({ value: order.value(item), id: item.id })
  let sorted = [...items].sort((a, b) => compareAt(at(a), at(b), order.descending))
  if (rawCursor) {
    const after = decodeCursor(rawCursor)
    sorted = sorted.filter((item) => compareAt(at(item), after, order.descending) > 0)
  }
  const slice = sorted.slice(0, limit)
  const last = slice[slice.length - 1]
  const cursor =
    sorted.length > limit && last
      ? Buffer.from(JSON.stringify([order.value(last), last.id])).toString('base64url')
      : null
  return { cursor, [key]: slice }
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
export function dateFilter(query: URLSearchParams): (created: string) => boolean {
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
  return (created) => {
    const t = Date.parse(created)
    return (after === undefined || t >= after) && (before === undefined || t <= before)
  }
}

/** Matches when the record carries at least one of the requested tags. */
export function hasAnyTag(tags: readonly string[], wanted: readonly string[] | undefined): boolean {
  return !wanted || wanted.some((tag) => tags.includes(tag.toLowerCase()))
}
