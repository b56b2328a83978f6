/**
 * What every engine module shares: the injected dependencies plus the journal and its projection.
 * Appending goes through `record`; the journal folds each entry into the projection as it appends.
 */
import { AppError } from '../../shared/errors'
import type { StarkClient } from '../stark/client'
import type { Clock } from '../time/clock'
import type { Journal } from './journal'
import type { JournalBody, JournalEntry } from '../../shared/journal'
import type { Destination } from '../../shared/plan'
import type { Projection } from './projection'
import type { Scope, Tasks } from './scope'

export interface Logger {
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}

export interface EngineContext {
  clock: Clock
  stark: StarkClient
  journal: Journal
  projection: Projection
  destination: Destination
  logger: Logger
  /**
   * The engine's lifetime: timers armed here (catch-up, transfer retries) die when it stops. Each
   * run owns a child scope for its own timers (see scheduler.ts).
   */
  scope: Scope
  /** Work nobody awaits, so that idle() and stop() can wait for it. */
  tasks: Tasks
  stopped(): boolean
}

/**
 * Appends an entry and waits until it is durable. The journal folds the entry into the projection
 * synchronously in `append` (and computes its run id there, journal-run.ts), so the state already
 * holds it when this returns; subscribers hear it later, asynchronously.
 */
export async function record(ctx: EngineContext, body: JournalBody): Promise<JournalEntry> {
  const { entry, durable } = ctx.journal.append(body)
  await durable
  return entry
}

export interface StarkFailure {
  /** 'rejected': Stark answered 400, nothing happened; 'unknown': it may have gone through. */
  outcome: 'rejected' | 'unknown'
  codes: string[]
  message: string
}

/** Classifies an SDK error. Only a 400 with Stark's envelope proves the call had no effect. */
export function classifyFailure(error: unknown): StarkFailure {
  const e = error as {
    status?: number
    errors?: { code?: string; message?: string }[]
    message?: string
    code?: string
  }
  if (e && e.status === 400 && Array.isArray(e.errors)) {
    return {
      outcome: 'rejected',
      codes: e.errors.map((x) => String(x.code)),
      message: e.errors.map((x) => `${x.code}: ${x.message}`).join('; ')
    }
  }
  if (e && e.status === 500)
    return { outcome: 'unknown', codes: [], message: 'Stark answered 500 (internal error)' }
  const detail = e?.code ? `${e.code}` : e?.message ? e.message.slice(0, 200) : String(error)
  return { outcome: 'unknown', codes: [], message: `network or server failure: ${detail}` }
}

/**
 * The error a command answers with when a Stark call it needed failed: a 400 means Stark refused it
 * (nothing happened), anything else means Stark could not be asked. `doing` completes "while ...".
 */
export function starkAppError(error: unknown, doing: string): AppError {
  const failure = classifyFailure(error)
  return failure.outcome === 'rejected'
    ? new AppError(
        'stark_refused',
        `Stark refused ${doing}: ${failure.message}. Check the values and try again.`,
        { cause: error }
      )
    : new AppError(
        'unavailable',
        `Stark could not be reached while ${doing} (${failure.message}). Check the connection and try again.`,
        { cause: error }
      )
}

/**
 * Runs work nobody awaits. Its failure is reported rather than left as an unhandled rejection, which
 * would end the process; after stop() the journal is closed and such failures are expected.
 * The work is tracked by the clock: with the embedded emulator, Stark's time waits for it (a transfer
 * sent after a credit is sent at the credit's time, at any speed).
 */
export function inBackground(ctx: EngineContext, where: string, work: Promise<unknown>): void {
  ctx.tasks.add(
    ctx.clock.track(work, where).catch((error: unknown) => {
      if (!ctx.stopped())
        ctx.logger.error(`${where}: ${error instanceof Error ? error.message : String(error)}`)
    })
  )
}

/** Exponential backoff in clock time, capped. */
export function backoffMs(attempt: number, baseMs = 2_000, capMs = 600_000): number {
  return Math.min(capMs, baseMs * 2 ** Math.min(attempt, 20))
}

/** Runs tasks for the same key one after another, so two deliveries of one credit cannot race. */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>()

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve()
    const next = previous.then(task, task)
    const tail = next.then(
      () => undefined,
      () => undefined
    )
    this.tails.set(key, tail)
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key)
    })
    return next
  }

  /** Keys with work queued or running. */
  get size(): number {
    return this.tails.size
  }

  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all(this.tails.values())
  }
}

/**
 * Makes each named command of `target` tracked work on the clock: with the embedded emulator, Stark's
 * time stands still while a command runs, so a run started at 10:00 issues its first batch at 10:00
 * exactly, and at speed `max` time cannot jump ahead in the middle of a user's command.
 */
export function trackCommands<T extends object>(
  clock: Clock,
  target: T,
  names: readonly (keyof T & string)[]
): T {
  const methods = target as Record<string, unknown>
  for (const name of names) {
    const command = methods[name]
    if (typeof command !== 'function') continue
    methods[name] = (...args: unknown[]): Promise<unknown> => {
      // The hold starts before the command's first line, so no time passes before it is tracked.
      let run: (work: Promise<unknown>) => void = () => undefined
      const work = new Promise<unknown>((resolve) => (run = resolve))
      void clock.track(work, name)
      run((async () => (command as (...a: unknown[]) => unknown).apply(target, args))())
      return work
    }
  }
  return target
}
