/**
 * The runtime behind the ports the handlers and the push hub use (`status` and `live` of
 * HostDeps): the desktop app and the browser dashboard both build on this one adapter, over the
 * very runtime the CLI drives. While the runtime runs, `live()` hands out its simulator (whose
 * snapshot never shows the webhook's secret path), its journal, Stark's documents and the embedded
 * emulator's controls; Stark's speed goes through SpeedHold.
 */
import type { RuntimeStatus } from '../../shared/contract'
import type { Logger } from '../engine/context'
import type { Simulator } from '../engine/simulator'
import type { Runtime } from '../runtime/runtime'
import type { ClockSpeed } from '../time/clock'
import { starkDocuments } from './documents'
import type { EmulatorControls, HostDeps, LiveRuntime, SimulatorPort } from './ports'
import { hideWebhookSecret, redactSecrets } from './redact'
import { SpeedHold } from './speed-hold'

export interface RuntimePorts extends Pick<HostDeps, 'status' | 'live'> {
  readonly runtime: Runtime
  /** Told after every change of the runtime (phase, webhook); returns the unsubscribe function. */
  onChange(listener: () => void): () => void
  /**
   * Starts the runtime (a run found in its folder resumes), then lets Stark's time run. Never
   * rejects: a failure is logged, and status() says 'failed' with what to do.
   */
  start(): Promise<void>
  /** Lets go of the runtime (its owner stops it). */
  close(): void
}

export interface RuntimePortsOptions {
  /** The speed chosen for Stark's time (honoured for the embedded emulator, `max` included). */
  speed: ClockSpeed
  logger?: Logger
}

export function runtimePorts(runtime: Runtime, options: RuntimePortsOptions): RuntimePorts {
  const hold = new SpeedHold(runtime, options.speed)
  let parts: { sim: Simulator; live: LiveRuntime } | undefined
  let unfollow: (() => void) | undefined

  // A run ends by itself (completed) or from another front end (the CLI): the journal says so.
  const follow = (): void => {
    if (runtime.phase === 'running' && !unfollow) {
      unfollow = runtime.simulator.subscribe({}, (entries) => {
        if (entries.some((e) => e.type.startsWith('run.'))) hold.apply()
      })
    } else if (runtime.phase !== 'running' && unfollow) {
      unfollow()
      unfollow = undefined
    }
  }
  const offRuntime = runtime.onChange(follow)
  follow()

  const simulatorPort = (sim: Simulator): SimulatorPort => ({
    async startRun(plan) {
      const started = await sim.startRun(plan)
      hold.apply()
      return started
    },
    async pause() {
      const view = await sim.pause()
      hold.apply()
      return view
    },
    async resume() {
      const view = await sim.resume()
      hold.apply()
      return view
    },
    async stopRun(reason) {
      const view = await sim.stopRun(reason)
      hold.apply()
      return view
    },
    issueBatchNow: () => sim.issueBatchNow(),
    issueInvoice: (options) => sim.issueInvoice(options),
    replayEvent: (eventId) => sim.replayEvent(eventId),
    retryTransfer: (invoiceId) => sim.retryTransfer(invoiceId),
    snapshot() {
      const snapshot = sim.snapshot()
      return { ...snapshot, webhookUrl: hideWebhookSecret(snapshot.webhookUrl) }
    }
  })

  const emulatorPort = (): EmulatorControls | undefined => {
    const controls = runtime.emulator
    if (!controls) return undefined
    return {
      async clock({ speed, advanceSeconds }) {
        if (speed !== undefined) hold.choose(speed)
        const view = await controls.clock(advanceSeconds ? { advanceSeconds } : {})
        return { ...view, speed: hold.shown(view.speed) }
      },
      faults: (patch) => controls.faults(patch),
      async payNow(invoiceId) {
        await controls.payNow(invoiceId)
      }
    }
  }

  const live = (): LiveRuntime | undefined => {
    if (runtime.phase !== 'running') return undefined
    const sim = runtime.simulator
    // One object per simulator: the push hub tells a new runtime from the same one by identity.
    if (parts?.sim !== sim) {
      const documents = runtime.documents
      if (!documents) return undefined
      parts = {
        sim,
        live: {
          simulator: simulatorPort(sim),
          journal: {
            subscribe: (from, onBatch) => sim.subscribe(from, onBatch),
            entries: (query) => sim.entries(query),
            lastSeq: () => sim.lastSeq
          },
          documents: starkDocuments(documents),
          emulator: emulatorPort()
        }
      }
    }
    return parts.live
  }

  // The webhook's secret path segment stays off a presenter's screen, the public one's too.
  const status = (): RuntimeStatus => {
    const status = runtime.status()
    const publicUrl = status.publicUrl
    return {
      ...status,
      error: status.error && { ...status.error, message: redactSecrets(status.error.message) },
      webhook: { ...status.webhook, url: hideWebhookSecret(status.webhook.url) },
      clock: { ...status.clock, speed: hold.shown(status.clock.speed) },
      ...(publicUrl?.webhook
        ? {
            publicUrl: {
              ...publicUrl,
              webhook: { ...publicUrl.webhook, url: hideWebhookSecret(publicUrl.webhook.url) }
            }
          }
        : {})
    }
  }

  return {
    runtime,
    status,
    live,
    onChange: (listener) => runtime.onChange(() => listener()),
    async start() {
      try {
        await runtime.start()
      } catch (error) {
        // Stopped while starting (the user quit) is no failure; anything else is on the status.
        if (runtime.phase === 'failed')
          options.logger?.error(`the engine could not start: ${(error as Error).message}`)
        return
      }
      hold.apply()
    },
    close() {
      offRuntime()
      unfollow?.()
      unfollow = undefined
    }
  }
}
