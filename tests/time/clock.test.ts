import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../../src/main/time/clock'

describe('VirtualClock', () => {
  it('When advanced, Then due timers fire in time order, each seeing its own due time', async () => {
    const clock = new VirtualClock({ start: 1_000 })
    const seen: [string, number][] = []
    clock.at(5_000, () => seen.push(['b', clock.now()]))
    clock.at(2_000, () => {
      seen.push(['a', clock.now()])
      clock.at(clock.now() + 1_000, () => seen.push(['a+1s', clock.now()]))
    })
    clock.at(9_000, () => seen.push(['late', clock.now()]))
    expect(await clock.advance(6_000)).toBe(7_000)
    expect(seen).toEqual([
      ['a', 2_000],
      ['a+1s', 3_000],
      ['b', 5_000]
    ])
    expect(clock.pendingTimers).toBe(1)
  })

  it('When a timer is cancelled, Then it never fires', async () => {
    const clock = new VirtualClock({ start: 0 })
    let fired = false
    const id = clock.at(10, () => (fired = true))
    clock.cancel(id)
    await clock.advance(100)
    expect(fired).toBe(false)
  })

  it('When speed is set, Then virtual time runs that many times faster than real time', () => {
    let real = 0
    const clock = new VirtualClock({ start: 0, speed: 1440, realTime: () => real })
    real = 1_000
    expect(clock.now()).toBe(1_440_000)
    clock.setSpeed(0)
    real = 5_000
    expect(clock.now()).toBe(1_440_000)
    clock.stop()
  })

  it('When a callback throws, Then the error is reported and later timers still run', async () => {
    const errors: unknown[] = []
    const clock = new VirtualClock({ start: 0, onError: (e) => errors.push(e) })
    let ran = false
    clock.at(1, () => {
      throw new Error('boom')
    })
    clock.at(2, () => (ran = true))
    await clock.advance(5)
    expect(ran).toBe(true)
    expect(errors).toHaveLength(1)
  })

  it('When running at speed, Then timers fire on real time without a manual advance', async () => {
    const clock = new VirtualClock({ start: 0, speed: 1000 })
    const fired = new Promise<number>((resolve) =>
      clock.at(clock.now() + 50_000, () => resolve(clock.now()))
    )
    expect(await fired).toBeGreaterThanOrEqual(50_000)
    clock.stop()
  })
})
