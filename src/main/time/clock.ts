/**
 * The one source of time for the emulator and the engine.
 *
 * Why a virtual clock: the emulator and demo mode run faster than real time (speed 1440 = a day per
 * minute) and tests run on a manual clock (speed 0, moved only by `advance`). Timers are kept here,
 * not in setTimeout, so that jumping ahead fires every due timer in time order, each seeing the clock
 * at its own due time (a retry scheduled by a timer at t lands at t + delay, not at the jump's end).
 */
export interface Clock {
  /** Current time in epoch milliseconds. */
  now(): number
  /** Runs `fn` once the clock reaches `at` (epoch ms). */
  at(at: number, fn: () => unknown): TimerId
  cancel(id: TimerId): void
}

export type TimerId = number

interface Timer {
  id: TimerId
  at: number
  seq: number
  fn: () => unknown
}

/** Wall-clock source, injected so that no domain module reads Date.now() itself. */
export type RealTime = () => number

export interface VirtualClockOptions {
  /** Epoch ms the virtual clock starts at. */
  start: number
  /** Virtual ms per real ms; 0 freezes time (manual clock). */
  speed?: number
  /** Real time source, only consulted when speed > 0. */
  realTime?: RealTime
  /** Reports errors thrown by timer callbacks, which must never stop the clock. */
  onError?: (error: unknown) => void
}

export class VirtualClock implements Clock {
  private anchorVirtual: number
  private anchorReal: number
  private speedFactor: number
  private readonly realTime: RealTime
  private readonly onError: (error: unknown) => void
  private readonly timers = new Map<TimerId, Timer>()
  private nextId = 1
  private seq = 0
  private pending: ReturnType<typeof setTimeout> | undefined
  private firing = false
  private stopped = false

  constructor(options: VirtualClockOptions) {
    this.realTime = options.realTime ?? (() => performance.timeOrigin + performance.now())
    // Whole milliseconds: the wall clock (performance.now()) has a fraction no timestamp should carry.
    this.anchorVirtual = Math.floor(options.start)
    this.anchorReal = this.realTime()
    this.speedFactor = options.speed ?? 0
    this.onError = options.onError ?? (() => undefined)
  }

  now(): number {
    if (this.speedFactor === 0) return this.anchorVirtual
    return Math.floor(this.anchorVirtual + (this.realTime() - this.anchorReal) * this.speedFactor)
  }

  get speed(): number {
    return this.speedFactor
  }

  setSpeed(speed: number): void {
    if (!(speed >= 0) || !Number.isFinite(speed))
      throw new RangeError(`invalid clock speed ${speed}`)
    this.reanchor(this.now())
    this.speedFactor = speed
    this.arm()
  }

  at(at: number, fn: () => unknown): TimerId {
    const id = this.nextId++
    // A stopped clock runs nothing: work scheduled during shutdown stays in the persisted job list
    // for the next start, instead of being run by an `advance` still in progress.
    if (this.stopped) return id
    this.timers.set(id, { id, at, seq: this.seq++, fn })
    this.arm()
    return id
  }

  cancel(id: TimerId): void {
    this.timers.delete(id)
  }

  /** Jumps ahead by `ms`, running every timer due on the way in time order and awaiting each. */
  async advance(ms: number): Promise<number> {
    if (!(ms >= 0)) throw new RangeError(`cannot advance by ${ms} ms`)
    const target = this.now() + ms
    for (let timer = this.nextDue(target); timer; timer = this.nextDue(target)) {
      this.reanchor(Math.max(timer.at, this.now()))
      await this.run(timer)
    }
    this.reanchor(Math.max(target, this.now()))
    this.arm()
    return this.now()
  }

  /** Runs timers already due (used after a restart and by the real-time loop). */
  async runDue(): Promise<void> {
    if (this.firing) return
    this.firing = true
    try {
      for (let timer = this.nextDue(this.now()); timer; timer = this.nextDue(this.now())) {
        await this.run(timer)
      }
    } finally {
      this.firing = false
      this.arm()
    }
  }

  /** Number of scheduled timers; lets callers and tests see whether work is pending. */
  get pendingTimers(): number {
    return this.timers.size
  }

  stop(): void {
    this.stopped = true
    if (this.pending) clearTimeout(this.pending)
    this.pending = undefined
    this.timers.clear()
  }

  private reanchor(virtual: number): void {
    this.anchorVirtual = virtual
    this.anchorReal = this.realTime()
  }

  private nextDue(limit: number): Timer | undefined {
    let best: Timer | undefined
    for (const t of this.timers.values()) {
      if (t.at > limit) continue
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t
    }
    return best
  }

  private async run(timer: Timer): Promise<void> {
    this.timers.delete(timer.id)
    try {
      await timer.fn()
    } catch (error) {
      this.onError(error)
    }
  }

  private arm(): void {
    if (this.pending) clearTimeout(this.pending)
    this.pending = undefined
    if (this.stopped || this.speedFactor === 0 || this.timers.size === 0) return
    let earliest = Infinity
    for (const t of this.timers.values()) earliest = Math.min(earliest, t.at)
    const realDelay = Math.max(0, (earliest - this.now()) / this.speedFactor)
    // setTimeout caps at 2^31-1 ms; re-arming on wake-up covers longer waits.
    this.pending = setTimeout(() => void this.runDue(), Math.min(realDelay, 2 ** 31 - 1))
    this.pending.unref?.()
  }
}
