/**
 * The gap between periodic sweeps: it doubles while Stark is quiet, up to 4 intervals, and comes
 * back to the interval as soon as anything happens (pure rule; the sweeps themselves are tested
 * against the emulator in catch-up-grace, recovery and crash-windows).
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
  it('When sweeps find nothing and nothing is journaled, Then the gap doubles up to 4 intervals', () => {
    const backoff = new QuietBackoff(15 * MINUTE)
    // The first sweep has no earlier one to compare with: it counts as activity.
    const gaps = [backoff.next(nothing, 7, 7)]
    for (let i = 0; i < 5; i++) gaps.push(backoff.next(nothing, 7, 7))
    expect(gaps.map((g) => g / MINUTE)).toEqual([15, 30, 60, 60, 60, 60])
  })

  it('When something was journaled, found, on its way or the sweep failed, Then the gap is the interval again', () => {
    const quietFor = (backoff: QuietBackoff, seq: number): void => {
      backoff.next(nothing, seq, seq)
      backoff.next(nothing, seq, seq)
      expect(backoff.next(nothing, seq, seq)).toBe(60 * MINUTE)
    }
    const cases: [string, (b: QuietBackoff) => number][] = [
      ['journaled since', (b) => b.next(nothing, 8, 8)],
      ['found events', (b) => b.next({ ...nothing, events: 1 }, 7, 9)],
      ['found credits', (b) => b.next({ ...nothing, credits: 1 }, 7, 9)],
      ['read statuses', (b) => b.next({ ...nothing, statuses: 1 }, 7, 9)],
      ['events on their way', (b) => b.next({ ...nothing, waiting: 3 }, 7, 7)],
      ['stopped early', (b) => b.next({ ...nothing, complete: false }, 7, 7)],
      ['failed', (b) => b.next(undefined, 7, 7)]
    ]
    for (const [why, sweep] of cases) {
      const backoff = new QuietBackoff(15 * MINUTE)
      quietFor(backoff, 7)
      expect([why, sweep(backoff)]).toEqual([why, 15 * MINUTE])
    }
  })
})
