/**
 * The one source of time for the emulator and the engine.
 *
 * Why a virtual clock: the emulator and demo mode run faster than real time (speed 1440 = a day per
 * minute, or `max`: as fast as the work allows) and tests run on a manual clock (speed 0, moved only
 * by `advance`). Timers are kept here, not in setTimeout, so that jumping ahead fires every due timer
 * in time order, each seeing the clock at its own due time (a retry scheduled by a timer at t lands at
 * t + delay, not at the jump's end).
 *
 * The rule of a gated clock (the embedded emulator's, shared with the engine): time never runs ahead
 * of pending work.
 * - Work in flight is tracked: every timer callback, and whatever the engine starts in the background
 *   (`track`). While any tracked work is in flight, time stands still and no other timer runs.
 * - Between timers, time flows at `speed` but stops at the next due timer until that timer has run:
 *   a batch due at 03:00 is issued at 03:00 exactly, however long the work before it took.
 * - At speed `max`, as soon as nothing is in flight, time jumps straight to the next due timer.
 * - Due timers run one at a time, in (due time, order set) order, so one seed gives one story.
 * - A hold lasts at most `holdLimitMs` of real time (1 s by default); work still running then keeps
 *   running but no longer holds time or other timers, and the release is logged. One stuck call
 *   therefore delays the rest by the limit, never by its own timeout.
 * A clock that is not gated (the real sandbox's wall clock, a copy of an emulator's clock in another
 * process, or the standalone emulator at a numeric speed, whose time such copies follow) does not
 * hold time: `track` changes nothing and due timers all start at once.
 */
import { Holds } from './holds'
import { TimerQueue, type Timer, type TimerId } from './timer-queue'

export type { TimerId }

/** Virtual ms per real ms (0: a manual clock), or `max`: jump to the next timer once work settles. */
export type ClockSpeed = number | 'max'

export interface Clock {
  /** Current time in epoch milliseconds. */
  now(): number
  /** Runs `fn` once the clock reaches `at` (epoch ms); a promise it returns is tracked. */
  at(at: number, fn: () => unknown, label?: string): TimerId
  cancel(id: TimerId): void
  /**
   * Registers work in flight, so that a gated clock holds time and other timers until it settles (or
   * its hold limit passes). Returns `work` itself; on a clock that is not gated it does nothing else.
   */
  track<T>(work: Promise<T>, label?: string): Promise<T>
}

/** Wall-clock source, injected so that no domain module reads the system clock itself. */
export type RealTime = () => number

export const DEFAULT_HOLD_LIMIT_MS = 1_000

export interface VirtualClockOptions {
  /** Epoch ms the virtual clock starts at. */
  start: number
  /** Default 0: a manual clock. */
  speed?: ClockSpeed
  /** Real time source, only consulted when time flows. */
  realTime?: RealTime
  /** Reports errors thrown by timer callbacks, which must never stop the clock. */
  onError?: (error: unknown) => void
  /**
   * Whether time waits for tracked work at every speed (default true); see the rule above. A clock
   * that other processes copy (the standalone emulator) sets false so that at a numeric speed its
   * time follows the wall clock as their copies do; at `max` every clock waits for its own work.
   */
  gated?: boolean
  /** Real ms one piece of tracked work may hold the clock (default 1 s). */
  holdLimitMs?: number
  /** Where a hold that ran past its limit is reported. */
  log?: (line: string) => void
}

const isPromiseLike = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as { then?: unknown } | null)?.then === 'function'

function checkSpeed(speed: ClockSpeed): void {
  if (speed === 'max') return
  if (!(speed >= 0) || !Number.isFinite(speed)) throw new RangeError(`invalid clock speed ${speed}`)
}

export class VirtualClock implements Clock {
  private anchorVirtual: number
  private anchorReal: number
  private speedSetting: ClockSpeed
  private readonly gatedAtAnySpeed: boolean
  private readonly realTime: RealTime
  private readonly onError: (error: unknown) => void
  private readonly timers = new TimerQueue()
  private readonly holds: Holds
  private nextId = 1
  private seq = 0
  private cancelWake: (() => void) | undefined
  private advanceChain: Promise<void> = Promise.resolve()
  private advancing = false
  private firing = 0
  private stopped = false

  constructor(options: VirtualClockOptions) {
    this.realTime = options.realTime ?? (() => performance.timeOrigin + performance.now())
    // Whole milliseconds: the wall clock (performance.now()) has a fraction no timestamp should carry.
    this.anchorVirtual = Math.floor(options.start)
    this.anchorReal = this.realTime()
    this.gatedAtAnySpeed = options.gated ?? true
    this.speedSetting = options.speed ?? 0
    checkSpeed(this.speedSetting)
    this.onError = options.onError ?? (() => undefined)
    const log = options.log ?? (() => undefined)
    this.holds = new Holds({
      limitMs: options.holdLimitMs ?? DEFAULT_HOLD_LIMIT_MS,
      onIdle: () => this.resumeFlow(),
      onRelease: (label, limitMs) =>
        log(
          `clock: "${label}" is still running after ${limitMs} ms of real time; time and the other timers go on without it`
        )
    })
  }

  now(): number {
    if (this.frozen()) return this.anchorVirtual
    const flowed = Math.floor(
      this.anchorVirtual + (this.realTime() - this.anchorReal) * (this.speedSetting as number)
    )
    if (!this.gated) return flowed
    const next = this.timers.peek()
    return next ? Math.min(flowed, Math.max(this.anchorVirtual, next.at)) : flowed
  }

  get speed(): ClockSpeed {
    return this.speedSetting
  }

  setSpeed(speed: ClockSpeed): void {
    checkSpeed(speed)
    this.pin()
    this.speedSetting = speed
    // Leaving max on a clock gated only at max: what was in flight no longer holds anything.
    if (!this.gated) this.holds.clear()
    this.schedule()
  }

  at(at: number, fn: () => unknown, label = 'timer'): TimerId {
    const id = this.nextId++
    // A stopped clock runs nothing: work scheduled during shutdown stays in the persisted job list
    // for the next start, instead of being run by an `advance` still in progress.
    if (this.stopped) return id
    // An earlier timer lowers the cap on flowing time: pin the time first so it never runs backwards.
    if (this.gated) this.pin()
    this.timers.add({ id, at, seq: this.seq++, fn, label })
    this.schedule()
    return id
  }

  cancel(id: TimerId): void {
    // Time capped at this timer would otherwise leap ahead by all the time it spent waiting.
    if (this.gated) this.pin()
    if (this.timers.cancel(id)) this.schedule()
  }

  track<T>(work: Promise<T>, label = 'work'): Promise<T> {
    if (!this.gated || this.stopped) return work
    this.pin()
    this.holds.add(work, label)
    this.schedule()
    return work
  }

  /**
   * Jumps ahead by `ms`, running every timer due on the way in time order. Each timer sees the clock
   * at its own due time, and the next one runs once the work it started has settled (or held for
   * its limit), so a webhook delivered at t has been answered, and its transfer sent, before t + 1.
   */
  async advance(ms: number): Promise<number> {
    if (!(ms >= 0)) throw new RangeError(`cannot advance by ${ms} ms`)
    // One advance at a time: a second one starts where the first ended.
    const previous = this.advanceChain
    let done: () => void = () => undefined
    this.advanceChain = new Promise((resolve) => (done = resolve))
    await previous
    try {
      return await this.advanceNow(ms)
    } finally {
      done()
    }
  }

  /** Runs timers already due, as `advance(0)` does (after a restart). */
  async runDue(): Promise<void> {
    await this.advance(0)
  }

  /** Number of scheduled timers; lets callers and tests see whether work is pending. */
  get pendingTimers(): number {
    return this.timers.size
  }

  /** Pieces of tracked work holding the clock now. */
  get holding(): number {
    return this.holds.count
  }

  /** How many holds ran past their limit since the clock started. */
  get releasedHolds(): number {
    return this.holds.released
  }

  stop(): void {
    // A stopped clock stands still, so that the time saved after stopping is the time it stopped at.
    this.pin()
    this.stopped = true
    this.cancelWake?.()
    this.cancelWake = undefined
    this.timers.clear()
    this.holds.clear()
  }

  // --- Internals ---

  /** Max jumps only when work has settled, so it always waits for tracked work. */
  private get gated(): boolean {
    return this.gatedAtAnySpeed || this.speedSetting === 'max'
  }

  private frozen(): boolean {
    return (
      this.stopped ||
      this.advancing ||
      (this.gated && this.firing > 0) ||
      this.speedSetting === 0 ||
      this.speedSetting === 'max' ||
      (this.gated && this.holds.count > 0)
    )
  }

  /** Re-anchors at the current time, before a change that would alter how `now()` is computed. */
  private pin(): void {
    this.anchorVirtual = this.now()
    this.anchorReal = this.realTime()
  }

  /** The last hold ended: time flows on from where it stood, not from where it would have been. */
  private resumeFlow(): void {
    this.anchorReal = this.realTime()
    this.schedule()
  }

  private async advanceNow(ms: number): Promise<number> {
    const target = this.now() + ms
    this.pin()
    this.advancing = true
    this.schedule()
    try {
      await this.holds.idle()
      for (let timer = this.timers.peek(); timer && timer.at <= target && !this.stopped;) {
        this.timers.pop()
        this.anchorVirtual = Math.max(this.anchorVirtual, timer.at)
        this.fire(timer)
        await this.holds.idle()
        timer = this.timers.peek()
      }
      if (!this.stopped) this.anchorVirtual = Math.max(this.anchorVirtual, target)
    } finally {
      this.advancing = false
      this.anchorReal = this.realTime()
      this.schedule()
    }
    return this.now()
  }

  /** Arms the one real-time wake-up that runs the next timer, when time moves on its own. */
  private schedule(): void {
    this.cancelWake?.()
    this.cancelWake = undefined
    if (this.stopped || this.advancing || this.speedSetting === 0) return
    if (this.gated && this.holds.count > 0) return
    const next = this.timers.peek()
    if (!next) return
    const now = this.now()
    if (this.speedSetting === 'max' || next.at <= now) {
      // Not unref'd: with only unref'd immediates pending, the event loop blocks in its poll phase
      // until some other timer or I/O wakes it (up to a second per step). A due timer is work.
      const immediate = setImmediate(() => this.pump())
      this.cancelWake = () => clearImmediate(immediate)
      return
    }
    // setTimeout caps at 2^31-1 ms; waking early and re-arming covers longer waits.
    const delay = Math.min((next.at - now) / this.speedSetting, 2 ** 31 - 1)
    const timeout = setTimeout(() => this.pump(), delay)
    timeout.unref?.()
    this.cancelWake = () => clearTimeout(timeout)
  }

  private pump(): void {
    this.cancelWake = undefined
    if (this.stopped || this.advancing || this.speedSetting === 0) return
    if (!this.gated) {
      // Nothing here can hold the time this clock follows: start every due timer, await none.
      const now = this.now()
      for (let timer = this.timers.peek(); timer && timer.at <= now; timer = this.timers.peek()) {
        this.timers.pop()
        this.fire(timer)
      }
      this.schedule()
      return
    }
    if (this.holds.count > 0) return
    const next = this.timers.peek()
    if (!next) return
    if (this.speedSetting !== 'max' && next.at > this.now()) {
      this.schedule()
      return
    }
    // Flowing time is capped at this timer, so this is its due time (or now, if it was set late).
    this.anchorVirtual = Math.max(this.now(), next.at)
    this.anchorReal = this.realTime()
    this.timers.pop()
    this.fire(next)
    this.schedule()
  }

  private fire(timer: Timer): void {
    // Time stands still during the callback's synchronous part too (signing a webhook body takes
    // milliseconds, which is a minute of emulator time at speed 20000).
    this.firing++
    try {
      const result = timer.fn()
      if (isPromiseLike(result)) {
        const settled = Promise.resolve(result).then(
          () => undefined,
          (error: unknown) => this.onError(error)
        )
        this.track(settled, timer.label)
      }
    } catch (error) {
      this.onError(error)
    } finally {
      this.firing--
      // Only a gated clock stood still during the callback; time flows on from where it stood.
      if (this.gated) this.anchorReal = this.realTime()
    }
  }
}

/** The wall clock as a Clock: the real sandbox's time, which nothing here can hold. */
export function wallClock(realTime: RealTime, onError?: (error: unknown) => void): VirtualClock {
  return new VirtualClock({ start: realTime(), speed: 1, realTime, gated: false, onError })
}
