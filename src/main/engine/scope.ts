/**
 * Ownership of engine work. A scope arms clock timers and cancels every one of them when it closes;
 * a closed scope arms nothing more, so a callback finishing after the close (a sweep, a Stark call)
 * cannot leave a timer behind. The engine has one scope for its lifetime; each run has a child scope
 * for settling (completion checks) with a child for issuing (the batch timer and batch retries), so
 * that stopping a run kills its issuing and starting the next one kills all it still held.
 */
import type { Clock, TimerId } from '../time/clock'

/** Work nobody awaits, remembered until it settles so that idle() and stop() can wait for it. */
export class Tasks {
  private readonly running = new Set<Promise<unknown>>()

  add(work: Promise<unknown>): void {
    const tracked = work.then(
      () => undefined,
      () => undefined
    )
    this.running.add(tracked)
    void tracked.then(() => this.running.delete(tracked))
  }

  get size(): number {
    return this.running.size
  }

  /** Resolves once everything added so far (and anything it added meanwhile) has settled. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running)
  }
}

export class Scope {
  private readonly timers = new Set<TimerId>()
  private readonly children = new Set<Scope>()
  private closed = false

  constructor(
    private readonly clock: Clock,
    private readonly tasks: Tasks,
    private readonly parent?: Scope
  ) {}

  get alive(): boolean {
    return !this.closed && (this.parent?.alive ?? true)
  }

  /** A scope that closes with this one, or on its own. */
  child(): Scope {
    const child = new Scope(this.clock, this.tasks, this)
    if (this.alive) this.children.add(child)
    else child.closed = true
    return child
  }

  /**
   * Runs `fn` when the clock reaches `at`, unless the scope closed first. Returns the timer (to cancel
   * it alone), or undefined when the scope is closed and nothing was armed.
   */
  later(
    at: number,
    fn: () => Promise<unknown>,
    onError: (error: unknown) => void
  ): TimerId | undefined {
    if (!this.alive) return undefined
    const id = this.clock.at(at, () => {
      this.timers.delete(id)
      if (!this.alive) return undefined
      const work = fn().catch(onError)
      this.tasks.add(work)
      // Returned so that a clock which awaits its callbacks (a manual clock's advance) sees the work.
      return work
    })
    this.timers.add(id)
    return id
  }

  cancel(id: TimerId | undefined): void {
    if (id === undefined || !this.timers.delete(id)) return
    this.clock.cancel(id)
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    for (const id of this.timers) this.clock.cancel(id)
    this.timers.clear()
    for (const child of this.children) child.close()
    this.children.clear()
    this.parent?.children.delete(this)
  }
}
