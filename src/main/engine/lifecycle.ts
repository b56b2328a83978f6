/**
 * The engine's lifecycle: idle → starting → running → stopping → stopped. start() and stop() are
 * idempotent (a second call shares the first), stop() during start() waits for it, and a stopped
 * engine does not start again (its journal is closed): the runtime creates a new one. Commands
 * that need a running engine are refused with `not_running` and a message that says what to do.
 */
import { AppError } from '../../shared/errors'

export type EnginePhase = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped'

const WHY: Record<Exclude<EnginePhase, 'running'>, string> = {
  idle: 'the engine has not been started yet. Start it first',
  starting: 'the engine is still starting. Try again in a moment',
  stopping: 'the engine is stopping. Start the app (or the runtime) again to continue',
  stopped: 'the engine was stopped. Start the app (or the runtime) again to continue'
}

export class Lifecycle<T> {
  private current: EnginePhase = 'idle'
  private starting: Promise<T> | undefined
  private stopping: Promise<void> | undefined

  get phase(): EnginePhase {
    return this.current
  }

  /** Runs `begin` once; later calls get the same result. A failed start leaves the engine idle. */
  start(begin: () => Promise<T>): Promise<T> {
    if (this.starting && (this.current === 'starting' || this.current === 'running'))
      return this.starting
    if (this.current === 'stopping' || this.current === 'stopped')
      return Promise.reject(
        new AppError(
          'not_running',
          `Cannot start: ${WHY[this.current]}; a stopped engine does not start again.`
        )
      )
    this.current = 'starting'
    this.starting = begin().then(
      (result) => {
        if (this.current === 'starting') this.current = 'running'
        return result
      },
      (error: unknown) => {
        if (this.current === 'starting') this.current = 'idle'
        this.starting = undefined
        throw error
      }
    )
    return this.starting
  }

  /** Runs `end` once, after a start in progress has settled; later calls share it. */
  stop(end: () => Promise<void>): Promise<void> {
    if (this.stopping) return this.stopping
    const started = this.starting?.catch(() => undefined)
    this.current = 'stopping'
    this.stopping = (async () => {
      await started
      try {
        await end()
      } finally {
        this.current = 'stopped'
      }
    })()
    return this.stopping
  }

  /** Refuses a command unless the engine is running. */
  require(command: string): void {
    if (this.current !== 'running')
      throw new AppError('not_running', `Cannot ${command}: ${WHY[this.current]}.`)
  }
}
