/**
 * The environments behind one window: the embedded emulator (the default) or the user's sandbox
 * project, each with its own state folder, and how Stark's webhooks reach this computer (no public
 * URL, a self-healing localtunnel tunnel, or the user's own URL). Exactly one runtime is live at a
 * time (the SDK is process-wide): a switch stops the current one cleanly (its run stays in its
 * folder and resumes when the user comes back) before the next one starts. Electron-free: the
 * desktop app and the browser dashboard both build on it; handlers reach it through `status`,
 * `live`, `view`, `switchTo` and `testConnection`.
 */
import { resolve } from 'node:path'
import type { RuntimeStatus } from '../../shared/contract'
import type {
  ConnectionReport,
  EnvironmentChoice,
  EnvironmentView,
  PublicUrlChoice
} from '../../shared/environment'
import { AppError } from '../../shared/errors'
import type { Logger } from '../engine/context'
import type { Runtime, RuntimeOptions } from '../runtime/runtime'
import { resolveStateDir } from '../runtime/state-folder'
import type { KeyStore } from '../secrets/key-store'
import type { TargetChoice } from '../stark/targets'
import type { ClockSpeed } from '../time/clock'
import type { HostDeps } from './ports'
import { runtimePorts, type RuntimePorts } from './runtime-ports'
import { hideWebhookSecret } from './redact'

/** What the manager decides; the composition root adds its own (real time, logger, bounds). */
export type ManagedRuntimeOptions = Pick<
  RuntimeOptions,
  'target' | 'stateDir' | 'baseDir' | 'tunnel' | 'publicUrl' | 'webhookOwner'
>

/** Where the choice survives a restart: the desktop's preferences; the dashboard keeps it in memory. */
export interface ChoiceStore {
  read(): { environment: EnvironmentChoice['environment']; publicUrl: PublicUrlChoice }
  write(choice: { environment: EnvironmentChoice['environment']; publicUrl: PublicUrlChoice }): void
}

export interface EnvironmentsOptions {
  /** Where each environment's default folder lives (`<baseDir>/emulator`, `<baseDir>/sandbox-<id>`). */
  baseDir: string
  /** The emulator environment's target (default: the embedded emulator at `speed`, clock deferred). */
  emulatorTarget?: Extract<TargetChoice, { kind: 'embedded' | 'external' }>
  /** The emulator environment's exact folder, when the front end was given one (`--state-dir`). */
  emulatorStateDir?: string
  choice: ChoiceStore
  keys: KeyStore
  /** Tags this installation's public webhook URLs (see secrets/installation-id.ts). */
  installationId?: string
  speed: ClockSpeed
  logger: Logger
  createRuntime(options: ManagedRuntimeOptions): Runtime
  /** A runtime the front end created and starts itself (the CLI's); used until the first switch. */
  initial?: Runtime
}

export interface Environments extends Pick<HostDeps, 'status' | 'live'> {
  /** The runtime in use now (replaced by a switch). */
  readonly runtime: Runtime
  view(): Promise<EnvironmentView>
  /** Starts the chosen environment's runtime (not the `initial` one: its front end does). Never rejects. */
  start(): Promise<void>
  /**
   * Stops the current runtime and starts the chosen one. The same choice again restarts it (after a
   * failure). Refused while another switch is under way, and for the sandbox without credentials.
   */
  switchTo(choice: EnvironmentChoice): Promise<EnvironmentView>
  /** Whether the sandbox runtime is starting or running (its key is in use). */
  sandboxInUse(): boolean
  testConnection(): Promise<ConnectionReport>
  /** Told after every change of the current runtime and after each switch. */
  onChange(listener: () => void): () => void
  /** Told with each new runtime, before it starts (a front end subscribes to its journal). */
  onRuntime(listener: (runtime: Runtime) => void): () => void
  stop(): Promise<void>
}

const isEmulator = (kind: TargetChoice['kind']): boolean => kind !== 'sandbox'

export function createEnvironments(options: EnvironmentsOptions): Environments {
  const emulatorTarget: ManagedRuntimeOptions['target'] = options.emulatorTarget ?? {
    kind: 'embedded',
    speed: options.speed,
    deferClock: true
  }
  const changeListeners = new Set<() => void>()
  const runtimeListeners = new Set<(runtime: Runtime) => void>()
  let publicUrl = options.choice.read().publicUrl
  let switching: Promise<EnvironmentView> | undefined
  let stopped = false

  const notify = (): void => {
    for (const listener of changeListeners) listener()
  }

  interface Current {
    runtime: Runtime
    ports: RuntimePorts
    off: () => void
  }
  const adopt = (runtime: Runtime): Current => {
    const ports = runtimePorts(runtime, { speed: options.speed, logger: options.logger })
    for (const listener of runtimeListeners) listener(runtime)
    return { runtime, ports, off: ports.onChange(notify) }
  }

  const publicUrlOptions = (
    choice: PublicUrlChoice
  ): Pick<ManagedRuntimeOptions, 'tunnel' | 'publicUrl' | 'webhookOwner'> => ({
    ...(choice.mode === 'localtunnel'
      ? { tunnel: choice.host ? { host: choice.host } : {} }
      : choice.mode === 'public-url'
        ? { publicUrl: choice.url }
        : {}),
    ...(options.installationId && choice.mode !== 'off'
      ? { webhookOwner: { installationId: options.installationId } }
      : {})
  })

  async function runtimeFor(environment: EnvironmentChoice['environment']): Promise<Runtime> {
    if (environment === 'emulator') {
      return options.createRuntime({
        target: emulatorTarget,
        baseDir: options.baseDir,
        ...(options.emulatorStateDir ? { stateDir: options.emulatorStateDir } : {}),
        ...publicUrlOptions(publicUrl)
      })
    }
    const credentials = await options.keys.credentials()
    if (!credentials)
      throw new AppError(
        'no_credentials',
        'No sandbox credentials are saved yet. In the Sandbox panel, give the project id and load, paste or generate its private key, then switch again.'
      )
    if (!credentials.projectId)
      throw new AppError(
        'no_credentials',
        'The saved key has no project id yet. Give the id Stark showed for the project you made with its public key, then switch again.'
      )
    return options.createRuntime({
      target: {
        kind: 'sandbox',
        projectId: credentials.projectId,
        privateKeyPem: credentials.privateKey
      },
      baseDir: options.baseDir,
      ...publicUrlOptions(publicUrl)
    })
  }

  let current: Current | undefined = options.initial ? adopt(options.initial) : undefined

  /** The runtime in use; before start() there is none yet. */
  const requireCurrent = (): Current => {
    if (!current)
      throw new AppError('not_running', 'The engine has not been started yet. Wait a moment.')
    return current
  }

  async function startChosen(): Promise<void> {
    const environment = options.choice.read().environment
    let runtime: Runtime
    try {
      runtime = await runtimeFor(environment)
    } catch (error) {
      // No credentials for the sandbox chosen last time: the emulator starts, the reason is logged.
      options.logger.warn(`${(error as Error).message} Starting the emulator instead.`)
      options.choice.write({ environment: 'emulator', publicUrl })
      runtime = await runtimeFor('emulator')
    }
    current = adopt(runtime)
    notify()
    await current.ports.start()
    notify()
  }

  async function doSwitch(choice: EnvironmentChoice): Promise<EnvironmentView> {
    const next = choice.publicUrl ?? publicUrl
    const previous = publicUrl
    publicUrl = next
    let runtime: Runtime
    try {
      // Built first: a sandbox without credentials is refused before anything is stopped.
      runtime = await runtimeFor(choice.environment)
    } catch (error) {
      publicUrl = previous
      throw error
    }
    options.choice.write({ environment: choice.environment, publicUrl: next })
    const old = current
    if (old) {
      options.logger.info(
        `switching to the ${choice.environment}: stopping ${old.runtime.target.label} (its run stays in ${old.runtime.stateDir})`
      )
      old.off()
      old.ports.close()
      await old.runtime.stop()
    }
    current = adopt(runtime)
    notify()
    await current.ports.start()
    notify()
    return view()
  }

  async function view(): Promise<EnvironmentView> {
    const credentials = await options.keys.view().catch(() => undefined)
    const environment = current
      ? isEmulator(current.runtime.target.kind)
        ? 'emulator'
        : 'sandbox'
      : options.choice.read().environment
    return {
      environment,
      publicUrl,
      stateDirs: {
        emulator:
          options.emulatorStateDir ?? resolveStateDir(emulatorTarget, { baseDir: options.baseDir }),
        sandbox: credentials?.projectId
          ? resolveStateDir(
              { kind: 'sandbox', projectId: credentials.projectId, privateKeyPem: '' },
              { baseDir: options.baseDir }
            )
          : null
      }
    }
  }

  return {
    get runtime() {
      return requireCurrent().runtime
    },
    status(): RuntimeStatus {
      if (current) return current.ports.status()
      return {
        phase: 'idle',
        error: null,
        environment: options.choice.read().environment,
        target: { kind: 'embedded', label: 'Starting…', emulatorUrl: null, projectId: null },
        // The environment's own folder is known once its runtime exists.
        stateDir: resolve(options.baseDir),
        webhook: { listening: false, url: null, rejected: 0 },
        clock: { now: 0, speed: options.speed },
        publicUrl: null
      }
    },
    live: () => current?.ports.live(),
    view,
    start: () => (current ? current.ports.start() : startChosen()),
    switchTo(choice) {
      if (stopped) return Promise.reject(new AppError('not_running', 'The app is closing.'))
      if (switching)
        return Promise.reject(
          new AppError(
            'not_running',
            'A switch is already under way. Wait until it has finished, then try again.'
          )
        )
      switching = doSwitch(choice).finally(() => (switching = undefined))
      return switching
    },
    sandboxInUse() {
      if (!current || isEmulator(current.runtime.target.kind)) return false
      return ['starting', 'running', 'stopping'].includes(current.runtime.phase)
    },
    async testConnection() {
      const report = await requireCurrent().runtime.testConnection()
      // The webhook's secret path stays off the screen, as everywhere else.
      return report.ok
        ? {
            ...report,
            webhooks: report.webhooks.map((w) => ({ ...w, url: hideWebhookSecret(w.url) }))
          }
        : report
    },
    onChange(listener) {
      changeListeners.add(listener)
      return () => changeListeners.delete(listener)
    },
    onRuntime(listener) {
      runtimeListeners.add(listener)
      return () => runtimeListeners.delete(listener)
    },
    async stop() {
      stopped = true
      await switching?.catch(() => undefined)
      if (!current) return
      current.off()
      current.ports.close()
      await current.runtime.stop()
    }
  }
}
