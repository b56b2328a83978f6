/**
 * Dates as Stark's API receives them: ISO datetimes (any offset, up to microseconds) or `YYYY-MM-DD`,
 * which the Node SDK sends for a JS Date at local midnight. Stores keep Stark's output form,
 * microseconds and `+00:00`.
 */

const DAY_MS = 86_400_000
/** Brasília has been UTC-3 all year since 2019; Stark's business days are Brazilian days. */
const BRT_OFFSET_MS = 3 * 3_600_000

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/

export interface StarkDate {
  /** The instant, in epoch ms (a date-only value means the end of that day in Brasília). */
  ms: number
  /** Microseconds below `ms`, kept so that a stored datetime reads back as it was sent. */
  micros: number
  dateOnly: boolean
  /** Start of the day in Brasília, for date-only values. */
  dayStart: number
}

function validDay(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d))
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d
}

export function parseStarkDate(value: unknown): StarkDate | undefined {
  if (typeof value !== 'string') return undefined
  const date = DATE_ONLY.exec(value)
  if (date) {
    const [y, m, d] = [Number(date[1]), Number(date[2]), Number(date[3])]
    if (!validDay(y, m, d)) return undefined
    const dayStart = Date.UTC(y, m - 1, d) + BRT_OFFSET_MS
    return { ms: dayStart + DAY_MS - 1, micros: 999, dateOnly: true, dayStart }
  }
  const dt = DATE_TIME.exec(value)
  if (!dt) return undefined
  const n = (i: number): number => Number(dt[i] ?? 0)
  const [y, m, d, hh, mi, ss] = [n(1), n(2), n(3), n(4), n(5), n(6)]
  if (!validDay(y, m, d) || hh > 23 || mi > 59 || ss > 59) return undefined
  const fraction = (dt[7] ?? '').padEnd(6, '0')
  let offsetMinutes = 0
  const zone = dt[8]
  if (zone && zone !== 'Z') {
    const digits = zone.replace(':', '')
    const oh = Number(digits.slice(1, 3))
    const om = Number(digits.slice(3, 5))
    if (oh > 23 || om > 59) return undefined
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (oh * 60 + om)
  }
  const ms =
    Date.UTC(y, m - 1, d, hh, mi, ss) - offsetMinutes * 60_000 + Number(fraction.slice(0, 3))
  return { ms, micros: Number(fraction.slice(3, 6)), dateOnly: false, dayStart: ms }
}

/** Stark's output form: `2024-03-02T04:51:21.041467+00:00`. */
export function formatStarkDate(ms: number, micros = 0): string {
  return new Date(ms).toISOString().replace(/Z$/, `${String(micros).padStart(3, '0')}+00:00`)
}
