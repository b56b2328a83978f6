/**
 * Instruments for the engine's own behaviour, not Stark's: a gate that holds a Stark call in flight
 * until the test lets it go, a clock wrapper that knows which timers the engine armed and whether any
 * is still armed, and a Stark client wrapper that counts calls and the records they brought back.
 */
import type { Clock, TimerId } from '../../src/main/time/clock'
import type { StarkClient } from '../../src/main/stark/client'

/** Holds callers at `wait()` until `open()`; `entered` resolves when the first caller arrives. */
export class Gate {
  private release: () => void = () => undefined
  private readonly released = new Promise<void>((r) => (this.release = r))
  private arrive: () => void = () => undefined
  readonly entered = new Promise<void>((r) => (this.arrive = r))
  closed = true

  async wait(): Promise<void> {
    this.arrive()
    if (this.closed) await this.released
  }

  open(): void {
    this.closed = false
    this.release()
  }
}

/** The engine's view of a shared clock: every timer it arms is tracked until it fires or is cancelled. */
export interface ProbedClock extends Clock {
  /** Timers the engine armed that have neither fired nor been cancelled. */
  armed(): number
  /** Due times of the engine's timers that have started to run, in firing order. */
  fired: number[]
  /**
   * Called in the same turn as an engine timer's callback, right after its synchronous part: what a
   * button press arriving at that very moment would see.
   */
  onFire?: (at: number) => void
}

export function probeClock(inner: Clock): ProbedClock {
  const live = new Set<TimerId>()
  const fired: number[] = []
  const probe: ProbedClock = {
    now: () => inner.now(),
    at(at, fn, label) {
      const id: TimerId = inner.at(
        at,
        () => {
          live.delete(id)
          fired.push(at)
          const result = fn()
          probe.onFire?.(at)
          return result
        },
        label
      )
      live.add(id)
      return id
    },
    track: (work, label) => inner.track(work, label),
    cancel(id) {
      live.delete(id)
      inner.cancel(id)
    },
    armed: () => live.size,
    fired
  }
  return probe
}

export interface CallCount {
  calls: number
  /** Records (invoices, logs, transfers, events) that list calls brought back. */
  records: number
}

/** Counts every call through the client and every record a list call returned. */
export function countingStark(stark: StarkClient, count: CallCount): StarkClient {
  const counted = {} as Record<string, unknown>
  for (const [name, fn] of Object.entries(stark) as [string, (...a: unknown[]) => unknown][]) {
    counted[name] = async (...args: unknown[]) => {
      count.calls++
      const result = await fn(...args)
      if (Array.isArray(result)) count.records += result.length
      return result
    }
  }
  return counted as unknown as StarkClient
}

/** Resolves once `check` holds, polling between turns of the event loop (no timing involved). */
export async function until(check: () => boolean, turns = 10_000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (check()) return
    await new Promise<void>((r) => setImmediate(r))
  }
  throw new Error('the condition never held')
}
