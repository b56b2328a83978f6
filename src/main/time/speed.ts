/** Clock speeds as people type them: a number of virtual seconds per real second, or `max`. */
import type { ClockSpeed } from './clock'

/** The fastest numeric speed accepted (about 115 emulator days per real second). */
export const MAX_NUMERIC_SPEED = 10_000_000

/** Parses a `--speed` value; undefined when it is neither `max` nor a number in range. */
export function parseSpeed(raw: string): ClockSpeed | undefined {
  const text = raw.trim().toLowerCase()
  if (text === 'max') return 'max'
  if (text === '') return undefined
  const value = Number(text)
  return Number.isFinite(value) && value >= 0 && value <= MAX_NUMERIC_SPEED ? value : undefined
}

/** How a speed reads in a status line: `1440x`, `max`. */
export function describeSpeed(speed: ClockSpeed): string {
  return speed === 'max' ? 'max' : `${speed}x`
}
