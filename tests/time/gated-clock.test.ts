/**
 * The gated clock's rule (src/main/time/clock.ts): time never runs ahead of pending work. Tracked
 * work freezes time, flowing time stops at the next due timer, `max` jumps from timer to timer once
 * work settles, due timers run one at a time in order, and a hold ends at its real-time limit so one
 * hung callback cannot stall the rest. Real time is faked where the test reads `now()`.
 */
import { setImmediate as tick } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { VirtualClock, type VirtualClockOptions } from '../../src/main/time/clock'

interface Deferred {
  promise: Promise<void>
  resolve: () => void
  reject: (error: Error) => void
}

function deferred(): Deferred {
  let resolve: () => void = () => undefined
  let reject: (error: Error) => void = () => undefined
  const promise = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

const HOUR = 3_600_000
const clocks: VirtualClock[] = []
const hung: Deferred[] = []

function clockOf(options: VirtualClockOptions): VirtualClock {
  const clock = new VirtualClock(options)
  clocks.push(clock)
  return clock
}

/** A promise that never settles on its own (settled in afterEach, as a silence limit would). */
function hang(): Promise<void> {
  const d = deferred()
  hung.push(d)
  return d.promise
}

afterEach(() => {
  for (const clock of clocks.splice(0)) clock.stop()
  for (const d of hung.splice(0)) d.resolve()
})

describe('gated clock', () => {
  it('When tracked work is in flight, Then time stands still, and it flows on from there once the work settles', async () => {
    let real = 0
    const clock = clockOf({ start: 0, speed: 1000, realTime: () => real })
    real = 10
    expect(clock.now()).toBe(10_000)
    const work = deferred()
    clock.track(work.promise, 'slow call')
    expect(clock.holding).toBe(1)
    real = 5_010
    expect(clock.now()).toBe(10_000)
    work.resolve()
    await tick()
    expect(clock.holding).toBe(0)
    real = 5_011
    expect(clock.now()).toBe(11_000)
  })

  it('When time flows past a due timer, Then it stops at the due time until the timer has run, and the timer holds it while its work is in flight', async () => {
    let real = 0
    const clock = clockOf({ start: 0, speed: 1000, realTime: () => real })
    const work = deferred()
    const seen = deferred()
    let sawAt: number | undefined
    clock.at(10_000, () => {
      sawAt = clock.now()
      seen.resolve()
      return work.promise
    })
    real = HOUR
    expect(clock.now()).toBe(10_000)
    await seen.promise
    expect(sawAt).toBe(10_000)
    real = 2 * HOUR
    expect(clock.now()).toBe(10_000)
    work.resolve()
    await tick()
    real = 2 * HOUR + 1
    expect(clock.now()).toBe(11_000)
  })

  it('When an earlier timer is set while time flows, Then time does not run backwards', async () => {
    let real = 0
    const clock = clockOf({ start: 0, speed: 1000, realTime: () => real })
    real = 10
    expect(clock.now()).toBe(10_000)
    const fired = new Promise<number>((resolve) => clock.at(5_000, () => resolve(clock.now())))
    expect(clock.now()).toBe(10_000)
    expect(await fired).toBe(10_000)
  })

  it('When the speed is max, Then time jumps straight to each next timer, but never while work is in flight', async () => {
    const clock = clockOf({ start: 0, speed: 'max' })
    const work = deferred()
    const first = deferred()
    const second = deferred()
    const seen: number[] = []
    clock.at(HOUR, () => {
      seen.push(clock.now())
      first.resolve()
      return work.promise
    })
    clock.at(2 * HOUR, () => {
      seen.push(clock.now())
      second.resolve()
    })
    await first.promise
    for (let i = 0; i < 20; i++) await tick()
    expect(seen).toEqual([HOUR])
    expect(clock.now()).toBe(HOUR)
    work.resolve()
    await second.promise
    expect(seen).toEqual([HOUR, 2 * HOUR])
    expect(clock.now()).toBe(2 * HOUR)
  })

  it('When timers are due at the same instant, Then each runs after the work of the one set before it has settled', async () => {
    const clock = clockOf({ start: 0, speed: 'max' })
    const log: string[] = []
    const works = [deferred(), deferred(), deferred()]
    const last = deferred()
    works.forEach((work, i) =>
      clock.at(1_000, async () => {
        log.push(`start ${i}`)
        await work.promise
        log.push(`end ${i}`)
        if (i === works.length - 1) last.resolve()
      })
    )
    for (let i = 0; i < 20; i++) await tick()
    expect(log).toEqual(['start 0'])
    // Settled out of order: the order of starts is still the order they were set.
    works[2]!.resolve()
    works[1]!.resolve()
    works[0]!.resolve()
    await last.promise
    expect(log).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2'])
  })

  it('When a timer callback hangs, Then later timers run once the hold limit passes, each at its own due time, and the release is logged', async () => {
    const lines: string[] = []
    const clock = clockOf({ start: 0, speed: 'max', holdLimitMs: 50, log: (l) => lines.push(l) })
    const seen: [string, number][] = []
    const done = deferred()
    clock.at(1_000, () => hang(), 'stuck Stark call')
    clock.at(2_000, () => void seen.push(['a', clock.now()]))
    clock.at(2_000, () => {
      seen.push(['b', clock.now()])
      done.resolve()
    })
    await done.promise
    expect(seen).toEqual([
      ['a', 2_000],
      ['b', 2_000]
    ])
    expect(clock.releasedHolds).toBe(1)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain('"stuck Stark call" is still running after 50 ms')
  })

  it('When advanced past a hung callback, Then advance still completes once the hold limit passes, with every timer run', async () => {
    const clock = clockOf({ start: 0, holdLimitMs: 50 })
    const seen: number[] = []
    clock.at(1_000, () => hang())
    clock.at(3_000, () => void seen.push(clock.now()))
    expect(await clock.advance(5_000)).toBe(5_000)
    expect(seen).toEqual([3_000])
    expect(clock.releasedHolds).toBe(1)
  })

  it('When a timer starts tracked background work, Then advance waits for it, so what that work schedules inside the window runs too', async () => {
    const clock = clockOf({ start: 0 })
    const seen: number[] = []
    clock.at(1_000, () => {
      // Not awaited by the callback: background work, as the engine starts a transfer.
      const background = (async () => {
        await tick()
        clock.at(clock.now() + 500, () => void seen.push(clock.now()))
      })()
      clock.track(background, 'background')
    })
    await clock.advance(2_000)
    expect(seen).toEqual([1_500])
  })

  it('When the clock stops while advance waits for a hold, Then advance ends at once', async () => {
    const clock = clockOf({ start: 0, holdLimitMs: 60_000 })
    const started = deferred()
    clock.at(1_000, () => {
      started.resolve()
      return hang()
    })
    const advancing = clock.advance(5_000)
    await started.promise
    clock.stop()
    await advancing
    expect(clock.holding).toBe(0)
  })
})

describe('clock that is not gated', () => {
  it('When work is tracked or a callback hangs, Then nothing waits: time flows and the next timer runs', async () => {
    let real = 0
    const clock = clockOf({ start: 0, speed: 1000, realTime: () => real, gated: false })
    const work = hang()
    expect(clock.track(work)).toBe(work)
    expect(clock.holding).toBe(0)
    real = 10
    expect(clock.now()).toBe(10_000)
    const second = deferred()
    clock.at(10_000, () => hang())
    clock.at(10_000, () => second.resolve())
    await second.promise
    expect(clock.holding).toBe(0)
  })

  it('When its speed becomes max, Then it waits for work like a gated clock, and stops waiting at a numeric speed again', async () => {
    const clock = clockOf({ start: 0, speed: 1, gated: false })
    clock.setSpeed('max')
    clock.track(hang(), 'delivery')
    expect(clock.holding).toBe(1)
    const at = clock.now()
    await tick()
    expect(clock.now()).toBe(at)
    clock.setSpeed(1000)
    expect(clock.holding).toBe(0)
  })
})
