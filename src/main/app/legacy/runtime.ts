/**
 * The runtime the desktop app owns, over today's target and facade: the embedded emulator in a
 * state folder, the simulator, its webhook server and registration, with a lifecycle the header
 * shows and a bounded stop. Temporary: `createRuntime` in src/main/runtime replaces it (the state
 * folder lock, target identity and retries live there), and `HostRuntime` stays the seam.
 */
import { mkdir } from 'node:fs/promises'
import type { RuntimePhase, RuntimeStatus } from '../../../shared/contract'
import { isAppError, type ErrorCode } from '../../../shared/errors'
import type { Logger } from '../../engine/context'
import { createSimulator, type Simulator } from '../../engine/simulator'
import { connectTarget, type ConnectedTarget } from './connect-target'
import type { LiveRuntime } from '../ports'
import { legacyLive, legacyStatus, type LegacyLive } from './live'

export interface HostRuntime {
  readonly stateDir: string
  status(): RuntimeStatus
  live(): LiveRuntime | undefined
  /** Phase changes; returns the unsubscribe function. */
  onChange(listener: () => void): () => void
  /** Connects and starts; a run found in the state folder resumes. Idempotent. */
  start(): Promise<void>
  /** Stops everything within `deadlineMs`; what does not stop in time is abandoned. Idempotent. */
  stop(deadlineMs?: number): Promise<void>
}

export interface LegacyRuntimeOptions {
  stateDir: string
  speed: number
  seed?: number
  realTime: () => number
  logger: Logger
}

export function legacyRuntime(options: LegacyRuntimeOptions): HostRuntime {
  let phase: RuntimePhase = 'idle'
  let error: { code: ErrorCode; message: string } | null = null
  let target: ConnectedTarget | undefined
  let sim: Simulator | undefined
  let live: LegacyLive | undefined
  let starting: Promise<void> | undefined
  let stopping: Promise<void> | undefined
  const listeners = new Set<() => void>()
  const set = (next: RuntimePhase): void => {
    phase = next
    for (const listener of listeners) listener()
  }

  async function boot(): Promise<void> {
    set('starting')
    try {
      await mkdir(options.stateDir, { recursive: true, mode: 0o700 })
      target = await connectTarget(
        { kind: 'embedded', speed: options.speed, stateDir: options.stateDir, seed: options.seed },
        options.realTime
      )
      sim = await createSimulator({
        clock: target.clock,
        stark: target.stark,
        stateDir: options.stateDir,
        seed: options.seed,
        logger: options.logger
      })
      live = legacyLive(sim, { kind: 'embedded', ...target }, options.stateDir, (e) =>
        options.logger.warn(`a journal listener failed and was detached: ${String(e)}`)
      )
      await sim.start()
      await sim.registerWebhook()
      set('running')
    } catch (cause) {
      error = {
        code: isAppError(cause) ? cause.code : 'unavailable',
        message: `The engine could not start: ${cause instanceof Error ? cause.message : String(cause)}. Quit and start the app again; if it keeps failing, open the state folder from the menu and check it.`
      }
      await halt()
      set('failed')
    }
  }

  async function halt(): Promise<void> {
    live?.close()
    live = undefined
    await sim
      ?.stop()
      .catch((e: unknown) => options.logger.error(`stopping the engine: ${String(e)}`))
    await target
      ?.stop()
      .catch((e: unknown) => options.logger.error(`stopping the emulator: ${String(e)}`))
    sim = undefined
    target = undefined
  }

  return {
    stateDir: options.stateDir,
    status: () =>
      legacyStatus({
        phase,
        error,
        target: { kind: 'embedded', emulatorUrl: target?.emulatorUrl },
        stateDir: options.stateDir,
        webhookUrl: sim?.webhookUrl,
        rejected: live?.rejected() ?? 0,
        clock: target?.clock
      }),
    live: () => (phase === 'running' ? live : undefined),
    onChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    start() {
      starting ??= boot()
      return starting
    },
    stop(deadlineMs = 8_000) {
      stopping ??= (async () => {
        set('stopping')
        let timer: ReturnType<typeof setTimeout> | undefined
        // A start still under way is waited for inside the same deadline, then undone.
        const work = (async () => {
          await starting?.catch(() => undefined)
          await halt()
        })()
        await Promise.race([
          work,
          new Promise<void>((resolve) => {
            timer = setTimeout(() => {
              options.logger.error(`the engine did not stop within ${deadlineMs} ms; leaving it`)
              resolve()
            }, deadlineMs)
          })
        ])
        clearTimeout(timer)
        set('stopped')
      })()
      return stopping
    }
  }
}
