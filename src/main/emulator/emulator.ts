/**
 * The embedded Stark Bank sandbox: a factory that loads (or creates) the state, wires the resource
 * modules to one clock, and serves them on 127.0.0.1. Electron-free; the app, the CLI and the tests
 * all start it through here.
 */
import { randomInt } from 'node:crypto'
import type { Server } from 'node:http'
import { VirtualClock, type ClockSpeed, type RealTime } from '../time/clock'
import { registerAccountRoutes } from './account'
import { Authenticator } from './auth'
import type { ConnectionCap } from './connection-cap'
import { faultsSchema, sandboxBehaviourSchema, type Faults, type SandboxBehaviour } from './config'
import { registerControlRoutes, stateCounts } from './control'
import { EmulatorCore, newState } from './core'
import { registerDocumentRoutes } from './documents'
import { registerEvents } from './events'
import { HostAllowList, ownHosts } from './front-guard'
import { registerInvoices } from './invoices'
import { registerProject } from './projects'
import { Router } from './router'
import { createFront, listen, type FrontLimits } from './server'
import { StateStore } from './state-store'
import { registerTransfers } from './transfers'

export interface EmulatorOptions {
  port?: number
  host?: string
  /**
   * With a file, state is written durably and a restart continues the same story. The file holds
   * a snapshot; a change log grows beside it (`<file>.log-<seq>`) and is folded into it now and then.
   */
  stateFile?: string
  /** Log size from which it is folded into a new snapshot (default 8 MiB; tests set it low). */
  compactMinBytes?: number
  /**
   * Virtual seconds per real second; 0 is a manual clock moved by `advance`; `max` jumps from one
   * scheduled step to the next as soon as the work in flight settles. Default 1.
   */
  speed?: ClockSpeed
  /** Real ms one piece of tracked work may hold the clock (default 1 s; see time/clock.ts). */
  holdLimitMs?: number
  /**
   * Whether the clock waits for tracked work at every speed (default true: the embedded emulator,
   * whose clock the engine shares and tracks its work on). The standalone emulator serves engines in
   * other processes that copy its time, so at a numeric speed its time must follow the wall clock as
   * their copies do (false); at `max` it always waits for its own work.
   */
  gatedClock?: boolean
  behaviour?: Partial<SandboxBehaviour>
  faults?: Partial<Faults>
  seed?: number
  /** Wall clock, for Access-Time checks and the first start time. */
  realTime?: RealTime
  /** Virtual start time of a new state (default: the wall clock). */
  startAt?: number
  log?: (line: string) => void
  /**
   * More `host[:port]` names to accept in Host and Origin besides the emulator's own (127.0.0.1,
   * localhost and [::1] on its port, and sandbox.api.starkbank.com), e.g. a TLS front's name.
   */
  allowedHosts?: string[]
  /** Connection cap and timeouts of the HTTP front (server.ts DEFAULT_FRONT_LIMITS). */
  front?: Partial<FrontLimits>
}

export interface Emulator {
  readonly url: string
  readonly port: number
  /** SPKI PEM of the key that signs webhook bodies (served at GET /v2/public-key). */
  readonly publicKey: string
  readonly clock: VirtualClock
  readonly core: EmulatorCore
  registerProject(publicKeyPem: string): string
  /** Accepts one more `host[:port]` in Host and Origin from now on (a front started later). */
  allowHost(host: string): void
  /** The HTTP front's connection cap: its maximum, open connections, and those closed for room. */
  readonly connections: ConnectionCap
  counts(): Record<string, unknown>
  stop(): Promise<void>
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const realTime = options.realTime ?? (() => performance.timeOrigin + performance.now())
  const log = options.log ?? (() => undefined)
  const store = await StateStore.open({
    file: options.stateFile,
    fresh: () => newState(options.startAt ?? realTime(), options.seed ?? randomInt(2 ** 31)),
    compactMinBytes: options.compactMinBytes,
    log
  })
  const state = store.state
  const clock = new VirtualClock({
    start: state.clockNow,
    speed: options.speed ?? 1,
    realTime,
    holdLimitMs: options.holdLimitMs,
    gated: options.gatedClock ?? true,
    onError: (error) => log(`emulator: scheduled work failed: ${String(error)}`),
    log
  })
  store.useClock(() => clock.now())
  const core = new EmulatorCore(store, {
    clock,
    config: sandboxBehaviourSchema.parse(options.behaviour ?? {}),
    faults: faultsSchema.parse(options.faults ?? {}),
    log
  })

  const api = new Router()
  const control = new Router()
  registerAccountRoutes(api, core)
  const invoices = registerInvoices(api, core)
  registerTransfers(api, core)
  registerDocumentRoutes(api, core)
  const events = registerEvents(api, core)
  registerControlRoutes(control, { core, clock, payNow: invoices.payNow })
  const auth = new Authenticator(
    () => state.projects,
    realTime,
    () => core.config.accessTimeToleranceSeconds
  )

  const bindHost = options.host ?? '127.0.0.1'
  let url = ''
  // Filled once the port is known; until then (before startEmulator returns) nothing is accepted.
  const hosts = new HostAllowList(options.allowedHosts ?? [], () => url)
  const front = createFront({ core, api, control, auth, hosts, limits: options.front })
  const server: Server = front.server
  const port = await listen(server, options.port ?? 0, bindHost)
  url = `http://${bindHost.includes(':') ? `[${bindHost}]` : bindHost}:${port}`
  for (const host of ownHosts(bindHost, port)) hosts.add(host)
  core.resumeJobs()
  await clock.runDue()

  const register = (publicKeyPem: string): string => {
    const id = registerProject(core, publicKeyPem)
    core
      .save()
      .catch((error: unknown) => log(`emulator: could not save the state: ${String(error)}`))
    return id
  }

  return {
    url,
    port,
    publicKey: state.signingKey.publicPem,
    clock,
    core,
    registerProject: register,
    allowHost: (host) => hosts.add(host),
    connections: front.cap,
    counts: () => stateCounts(core),
    async stop() {
      clock.stop()
      core.stopJobs()
      await events.stop()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await store.close()
    }
  }
}
