/**
 * Text for the window: Stark times, countdowns and speeds, and the one place a typed BRL amount
 * becomes integer cents. Money is formatted by src/shared/money.ts (pt-BR), never here.
 */

const pad = (n: number): string => String(n).padStart(2, '0')

/** Stark time as the CLI prints it (UTC), so the window and the terminal agree line by line. */
export function formatStarkTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC'
}

/** Time of day only, for the log's narrow time column. */
export function formatClock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19)
}

/** A duration for a countdown: "2 h 05 min", "4 min 09 s", "12 s", "0.4 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—'
  const clamped = Math.max(0, ms)
  if (clamped < 10_000 && clamped % 1000 !== 0) return `${(clamped / 1000).toFixed(1)} s`
  const total = Math.round(clamped / 1000)
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  if (h > 0) return `${h} h ${pad(m)} min`
  if (m > 0) return `${m} min ${pad(s)} s`
  return `${s} s`
}

/** "1440×" for a number of Stark seconds per real second; "max" runs timers as fast as possible. */
export function formatSpeed(speed: number | 'max'): string {
  if (speed === 'max') return 'max'
  return `${Number.isInteger(speed) ? speed : speed.toFixed(2)}×`
}

/**
 * Turns what a person types as an amount in reais into integer cents, or an error saying what to
 * type. Accepts "12", "12,5", "12,50", "1.234,56", "R$ 10" and, for those who type a dot,
 * "12.50". Rejects more than two decimals rather than rounding money silently.
 */
export function parseBRLToCents(text: string): { cents: number } | { error: string } {
  const cleaned = text.replace(/R\$/i, '').replace(/[\s\u00a0]/g, '')
  if (cleaned === '') return { error: 'Type an amount in reais, for example 150,00.' }
  let normalized: string
  if (/^\d{1,3}(\.\d{3})+(,\d+)?$/.test(cleaned))
    normalized = cleaned.replace(/\./g, '').replace(',', '.')
  else if (/^\d+,\d+$/.test(cleaned)) normalized = cleaned.replace(',', '.')
  else if (/^\d+(\.\d+)?$/.test(cleaned)) normalized = cleaned
  else
    return { error: `"${text.trim()}" is not an amount: type reais and cents, for example 150,00.` }
  const [whole, fraction = ''] = normalized.split('.') as [string, string?]
  if (fraction.length > 2) return { error: 'Use at most two decimals (cents), for example 150,25.' }
  const cents = Number(whole) * 100 + Number(fraction.padEnd(2, '0'))
  if (!Number.isSafeInteger(cents) || cents < 1)
    return { error: 'The amount must be at least R$ 0,01.' }
  if (cents > 100_000_000) return { error: 'The amount must be at most R$ 1.000.000,00.' }
  return { cents }
}

/** Minutes as the plan form shows them, from the plan's milliseconds. */
export const msToMinutes = (ms: number): number => Math.round(ms / 60_000)
