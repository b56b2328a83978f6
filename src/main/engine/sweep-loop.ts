/**
 * The periodic catch-up sweeps: one loop per engine, armed in the engine's scope (after stop()
 * nothing is armed, even by a sweep ending late), spaced by QuietBackoff (catch-up.ts).
 */
import type { CatchUp, CatchUpResult } from './catch-up'
import { QuietBackoff } from './catch-up'
import type { Scope } from './scope'
import type { Clock, TimerId } from '../time/clock'

export interface SweepLoopDeps {
  clock: Clock
  scope: Scope
  catchUp: CatchUp
  /** Clock time between sweeps while anything happens. */
  intervalMs: number
  warn: (message: string) => void
}

export class SweepLoop {
  private readonly backoff: QuietBackoff
  private next: { id: TimerId | undefined; at: number } | undefined

  constructor(private readonly deps: SweepLoopDeps) {
    this.backoff = new QuietBackoff(deps.intervalMs)
  }

  /** Sweeps now, then arms the next periodic sweep. */
  readonly tick = async (): Promise<void> => {
    this.next = undefined
    // A sweep cut short by stop() cannot record its failure (the journal is closed): not a crash.
    const result = await this.deps.catchUp.run().catch((error: unknown) => {
      this.deps.warn(`catch-up: ${String(error)}`)
      return undefined
    })
    this.arm(this.deps.clock.now() + this.backoff.next(result))
  }

  /**
   * A sweep asked for from outside (a reconnected tunnel, the user). It leaves young events to
   * their webhooks like any sweep, so the next periodic one comes within an interval, however far
   * a quiet stretch had pushed it, to take those still undelivered then.
   */
  async runNow(): Promise<CatchUpResult> {
    const result = await this.deps.catchUp.run()
    this.backoff.reset()
    const soon = this.deps.clock.now() + this.deps.intervalMs
    if (this.next && this.next.at > soon) {
      this.deps.scope.cancel(this.next.id)
      this.arm(soon)
    }
    return result
  }

  private arm(at: number): void {
    const id = this.deps.scope.later(at, this.tick, (error) =>
      this.deps.warn(`catch-up: ${String(error)}`)
    )
    this.next = id === undefined ? undefined : { id, at }
  }
}
