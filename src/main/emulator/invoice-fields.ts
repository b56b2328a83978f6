/**
 * Field checks shared by invoice creates and updates (shared/stark-api.md §3.1). Each check adds its
 * error to the list and returns a usable value, so one invoice can report several problems at once.
 */
import { isValidCnpj } from '../stark/tax-id'
import type { ErrorList } from './errors'
import { showValue } from './show-value'
import { formatStarkDate, parseStarkDate, type StarkDate } from './stark-dates'
import type { Description, Discount } from './types'

export const MAX_AMOUNT = 10 ** 15
export const DEFAULT_EXPIRATION = 5_097_600
export const MAX_DISCOUNTS = 5
export const MAX_DESCRIPTIONS = 15

export interface ValidationContext {
  now: number
  pastDueToleranceSeconds: number
  /** Formats an instant in Stark's style (the core adds microseconds). */
  iso: (ms: number) => string
}

export type Fields = Record<string, unknown>

export const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

export const show = showValue

export const isAmount = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < MAX_AMOUNT

export const isExpiration = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 2 ** 31

export const isPercent = (v: unknown): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 100

/** Stark answers with formatted ids whatever the client sent. */
export function formatTaxId(taxId: string): string {
  const d = taxId.replace(/\D/g, '')
  return isValidCnpj(taxId)
    ? d.replace(/^(\d{2})(\d{3})(\d{3})(\d{4})(\d{2})$/, '$1.$2.$3/$4-$5')
    : d.replace(/^(\d{3})(\d{3})(\d{3})(\d{2})$/, '$1.$2.$3-$4')
}

export function unknownKeys(item: Fields, allowed: Set<string>): string[] {
  return Object.keys(item).filter((key) => !allowed.has(key))
}

/** A due date or datetime that is not in the past (beyond the configured tolerance). */
export function checkDue(
  value: unknown,
  ctx: ValidationContext,
  at: string,
  errors: ErrorList
): StarkDate | undefined {
  const due = parseStarkDate(value)
  if (!due) {
    errors.add('invalidDate', `${at}.due must be an ISO datetime or YYYY-MM-DD, got ${show(value)}`)
    return undefined
  }
  if (due.ms < ctx.now - ctx.pastDueToleranceSeconds * 1000) {
    errors.add('invalidDue', `${at}.due ${show(value)} is in the past`)
    return undefined
  }
  return due
}

/** Null, {}, [], "" and 0 mean "no descriptions", as the real API treats them. */
const isBlank = (v: unknown): boolean =>
  v === undefined ||
  v === null ||
  v === '' ||
  v === 0 ||
  (Array.isArray(v) && v.length === 0) ||
  (isObject(v) && Object.keys(v).length === 0)

export function checkDescriptions(value: unknown, at: string, errors: ErrorList): Description[] {
  if (isBlank(value)) return []
  const bad = (why: string): Description[] => {
    errors.add('invalidDescription', `${at}.descriptions ${why}`)
    return []
  }
  if (!Array.isArray(value)) return bad(`must be a list of {key, value}, got ${show(value)}`)
  if (value.length > MAX_DESCRIPTIONS)
    return bad(`has ${value.length} entries; at most 15 are allowed`)
  const out: Description[] = []
  for (const entry of value) {
    if (!isObject(entry) || unknownKeys(entry, new Set(['key', 'value'])).length > 0) {
      return bad(`entries must be {key, value} objects, got ${show(entry)}`)
    }
    if (typeof entry.key !== 'string' || entry.key.trim() === '') {
      return bad(`keys must be non-empty strings, got ${show(entry.key)}`)
    }
    if (entry.value !== undefined && entry.value !== null && typeof entry.value !== 'string') {
      return bad(`values must be strings, got ${show(entry.value)}`)
    }
    out.push(
      typeof entry.value === 'string' ? { key: entry.key, value: entry.value } : { key: entry.key }
    )
  }
  return out
}

export function checkDiscounts(
  value: unknown,
  due: StarkDate,
  ctx: ValidationContext,
  at: string,
  errors: ErrorList
): Discount[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) {
    errors.add('invalidDiscount', `${at}.discounts must be a list, got ${show(value)}`)
    return []
  }
  if (value.length > MAX_DISCOUNTS) {
    errors.add(
      'invalidDiscount',
      `${at}.discounts has ${value.length} entries; at most 5 are allowed`
    )
    return []
  }
  const parsed: { percentage: number; date: StarkDate }[] = []
  for (const entry of value) {
    if (!isObject(entry) || unknownKeys(entry, new Set(['percentage', 'due'])).length > 0) {
      errors.add(
        'invalidDiscount',
        `${at}.discounts entries must be {percentage, due}, got ${show(entry)}`
      )
      return []
    }
    const p = entry.percentage
    if (typeof p !== 'number' || !Number.isFinite(p) || p <= 0 || p > 100) {
      errors.add(
        'invalidDiscount',
        `${at}.discounts percentage must be above 0 and at most 100, got ${show(p)}`
      )
      return []
    }
    const date = parseStarkDate(entry.due)
    const tooLate = date && (date.dateOnly ? date.dayStart > due.ms : date.ms > due.ms)
    if (!date || date.ms < ctx.now - ctx.pastDueToleranceSeconds * 1000 || tooLate) {
      errors.add(
        'invalidDiscountDate',
        `${at}.discounts due ${show(entry.due)} must be a date between now and the invoice due`
      )
      return []
    }
    // A date-only discount lasts until the invoice's due if that falls on the same day.
    parsed.push({ percentage: p, date: { ...date, ms: Math.min(date.ms, due.ms) } })
  }
  parsed.sort((a, b) => a.date.ms - b.date.ms)
  for (let i = 1; i < parsed.length; i++) {
    const prev = parsed[i - 1] as (typeof parsed)[number]
    const cur = parsed[i] as (typeof parsed)[number]
    if (cur.date.ms <= prev.date.ms || cur.percentage >= prev.percentage) {
      errors.add(
        'invalidDiscount',
        `${at}.discounts percentages must strictly decrease as their dates increase`
      )
      return []
    }
  }
  return parsed.map((d) => ({
    percentage: d.percentage,
    due: formatStarkDate(d.date.ms, d.date.micros)
  }))
}

export function checkList(value: unknown, at: string, name: string, errors: ErrorList): unknown[] {
  if (value === undefined || value === null) return []
  if (Array.isArray(value) && value.every(isObject)) return structuredClone(value)
  errors.add('invalidJson', `${at}.${name} must be a list of objects, got ${show(value)}`)
  return []
}
