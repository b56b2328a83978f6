/**
 * Stark's speed as the user chose it, with one exception: at `max` with no active run (none yet,
 * paused, completed or stopped) the embedded emulator's clock is held still. A paused run is held
 * too: at max, Pause would otherwise let days of Stark time pass in seconds, every batch late on Resume. At max it would otherwise jump
 * from one catch-up sweep to the next, days of Stark time a minute with nothing to show, while the
 * emulator's state grows. The chosen speed comes back as soon as a run starts or resumes. Only the
 * embedded emulator's clock is ours to hold: other targets keep their own time.
 */
import type { Runtime } from '../runtime/runtime'
import type { ClockSpeed } from '../time/clock'

export class SpeedHold {
  private started = false

  constructor(
    private readonly runtime: Pick<
      Runtime,
      'clock' | 'phase' | 'simulator' | 'startClock' | 'target'
    >,
    private chosen: ClockSpeed
  ) {}

  /** What the header and the emulator panel show: the user's choice, held or not. */
  shown(actual: ClockSpeed): ClockSpeed {
    return this.manages() ? this.chosen : actual
  }

  /** A new speed from the user; it takes effect now (or when a run starts, for max). */
  choose(speed: ClockSpeed): void {
    this.chosen = speed
    this.apply()
  }

  /**
   * Lets Stark's time run at the chosen speed, or holds it (see above). Called once the runtime has
   * started, and after anything that can start or end a run.
   */
  apply(): void {
    const clock = this.runtime.clock
    if (!this.manages() || !clock) return
    const run = this.runtime.simulator.snapshot().run
    const active = run !== null && !run.completed && !run.stopped && !run.paused
    const wanted = this.chosen === 'max' && !active ? 0 : this.chosen
    if (!this.started) {
      // A runtime chosen with deferClock keeps Stark's time still until this first call.
      this.started = true
      this.runtime.startClock()
    }
    if (clock.speed !== wanted) clock.setSpeed(wanted)
  }

  private manages(): boolean {
    return this.runtime.target.kind === 'embedded' && this.runtime.phase === 'running'
  }
}
