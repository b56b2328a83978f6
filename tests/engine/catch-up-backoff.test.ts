/**
 * The gap between periodic sweeps: it doubles while sweeps find nothing missed, up to 8 intervals,
 * and comes back to the interval as soon as one finds or sees anything (pure rule; the sweeps
 * themselves are tested against the emulator in catch-up-grace, recovery and crash-windows).
 */
import { describe, expect, it } from 'vitest'
import { QuietBackoff, type CatchUpResult } from '../../src/main/engine/catch-up'

const MINUTE = 60_000
const nothing: CatchUpResult = {
  events: 0,
  credits: 0,
  statuses: 0,
  awaitingCredit: 0,
  waiting: 0,
  complete: true
}

describe('quiet sweeps back off', () => {
  it('When sweeps find nothing missed, Then the gap doubles up to 8 intervals', () => {
    const backoff = new QuietBackoff(15 * MINUTE)
    // The first sweep has no earlier one to compare with: it counts as activity.
    const gaps = []
    for (let i = 0; i < 6; i++) gaps.push(backoff.next(nothing))
    expect(gaps.map((g) => g / MINUTE)).toEqual([15, 30, 60, 120, 120, 120])
  })

  it('When a sweep found something, saw something on its way or failed, Then the gap is the interval again', () => {
    const quietFor = (backoff: QuietBackoff): void => {
      for (let i = 0; i < 3; i++) backoff.next(nothing)
      expect(backoff.next(nothing)).toBe(120 * MINUTE)
    }
    const cases: [string, (b: QuietBackoff) => number][] = [
      ['found events', (b) => b.next({ ...nothing, events: 1 })],
      ['found credits', (b) => b.next({ ...nothing, credits: 1 })],
      ['read statuses', (b) => b.next({ ...nothing, statuses: 1 })],
      ['events on their way', (b) => b.next({ ...nothing, waiting: 3 })],
      ['stopped early', (b) => b.next({ ...nothing, complete: false })],
      ['failed', (b) => b.next(undefined)]
    ]
    for (const [why, sweep] of cases) {
      const backoff = new QuietBackoff(15 * MINUTE)
      quietFor(backoff)
      expect([why, sweep(backoff)]).toEqual([why, 15 * MINUTE])
    }
  })
})
