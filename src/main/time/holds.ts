/**
 * Work in flight that a gated clock waits for before it lets time move or runs another timer.
 *
 * Each hold has a real-time limit: work still running after it stops holding (and is reported), so
 * one stuck call (a Stark request waiting out its 60 s silence limit) delays everything else by at
 * most the limit instead of freezing the embedded emulator's deliveries with it.
 */
export interface HoldsOptions {
  /** Real milliseconds a piece of work may hold the clock. */
  limitMs: number
  /** Nothing holds any more (the last hold settled or ran past its limit). */
  onIdle: () => void
  /** A hold ran past its limit; the work goes on, but no longer holds the clock. */
  onRelease: (label: string, limitMs: number) => void
}

interface Hold {
  label: string
  limit: ReturnType<typeof setTimeout>
}

export class Holds {
  private readonly active = new Map<number, Hold>()
  private nextId = 1
  private waiters: (() => void)[] = []
  /** How many holds ran past their limit, for tests and the bench. */
  released = 0

  constructor(private readonly options: HoldsOptions) {}

  add(work: PromiseLike<unknown>, label: string): void {
    const id = this.nextId++
    const limit = setTimeout(() => {
      if (!this.end(id)) return
      this.released++
      this.options.onRelease(label, this.options.limitMs)
    }, this.options.limitMs)
    // A hold must not keep the process alive: the work itself does that if it needs to.
    limit.unref?.()
    this.active.set(id, { label, limit })
    const settle = (): void => void this.end(id)
    work.then(settle, settle)
  }

  get count(): number {
    return this.active.size
  }

  /** What holds now, oldest first (for messages). */
  labels(): string[] {
    return [...this.active.values()].map((hold) => hold.label)
  }

  /** Resolves once nothing holds; released holds do not count. */
  idle(): Promise<void> {
    if (this.active.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  /** Forgets every hold (the clock stopped) and lets every waiter go. */
  clear(): void {
    for (const hold of this.active.values()) clearTimeout(hold.limit)
    this.active.clear()
    this.wake()
  }

  private end(id: number): boolean {
    const hold = this.active.get(id)
    if (!hold) return false
    clearTimeout(hold.limit)
    this.active.delete(id)
    if (this.active.size === 0) {
      this.options.onIdle()
      this.wake()
    }
    return true
  }

  private wake(): void {
    const waiters = this.waiters
    this.waiters = []
    for (const resolve of waiters) resolve()
  }
}
