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
import { hideWebhookSecret, redactSecrets } from './redact'
import { checkMode } from '../tunnel/manager'

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
  stop(): Promise<void>
}

const isEmulator = (kind: TargetChoice['kind']): boolean => kind !== 'sandbox'

export function createEnvironments(options: EnvironmentsOptions): Environments {
  const emulatorTarget: ManagedRuntimeOptions['target'] = options.emulatorTarget ?? {
    kind: 'embedded',
    speed: options.speed,
    deferClock: true
  }
  // A runtime the front end started in a folder it named: coming back to it uses that folder.
  const initialTarget = options.initial?.target
  const emulatorStateDir =
    initialTarget && isEmulator(initialTarget.kind) ? options.initial?.stateDir : undefined
  const sandboxStateDir =
    initialTarget?.kind === 'sandbox' && initialTarget.projectId && options.initial
      ? { projectId: initialTarget.projectId, dir: options.initial.stateDir }
      : undefined
  const sandboxDirOf = (projectId: string): string =>
    sandboxStateDir?.projectId === projectId
      ? sandboxStateDir.dir
      : resolveStateDir(
          { kind: 'sandbox', projectId, privateKeyPem: '' },
          { baseDir: options.baseDir }
        )
  const changeListeners = new Set<() => void>()
  let publicUrl = options.choice.read().publicUrl
  let stopped = false
  /**
   * Start, switches and stop supersede one another: each takes the next generation, and an older
   * one that wakes up after a newer began (a key read that waited for the keychain, a start stuck
   * reaching Stark) gives up and stops what it made instead of adopting it. A newer operation never
   * waits for an older one: the presenter can always go back to the emulator, and quit.
   */
  let generation = 0
  const superseded = (gen: number): boolean => gen !== generation || stopped
  /** The runtime whose start is under way, given up by a newer operation. */
  let starting: Runtime | undefined
  /** Switches to the sandbox under way: its key is in use before it runs. */
  let sandboxPending = 0

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
    return { runtime, ports, off: ports.onChange(notify) }
  }

  /** Adopts and starts `runtime` unless a newer operation came; a start given up is no failure. */
  async function run(runtime: Runtime, gen: number): Promise<void> {
    if (superseded(gen)) {
      await runtime.stop()
      return
    }
    current = adopt(runtime)
    notify()
    starting = runtime
    try {
      await current.ports.start()
    } finally {
      if (starting === runtime) starting = undefined
    }
    notify()
  }

  async function release(old: Current | undefined): Promise<void> {
    if (!old) return
    old.off()
    old.ports.close()
    await old.runtime.stop()
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

  /** Builds the environment's runtime (not started); `gen` gives up once superseded. */
  async function runtimeFor(
    environment: EnvironmentChoice['environment'],
    gen?: number
  ): Promise<Runtime> {
    if (environment === 'emulator') {
      return options.createRuntime({
        target: emulatorTarget,
        baseDir: options.baseDir,
        ...(emulatorStateDir ? { stateDir: emulatorStateDir } : {}),
        ...publicUrlOptions(publicUrl)
      })
    }
    const credentials = await options.keys.credentials()
    if (gen !== undefined && superseded(gen)) throw SUPERSEDED
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
      stateDir: sandboxDirOf(credentials.projectId),
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

  async function startChosen(gen: number): Promise<void> {
    const environment = options.choice.read().environment
    let runtime: Runtime
    try {
      runtime = await runtimeFor(environment, gen)
    } catch (error) {
      if (error === SUPERSEDED) return
      // No credentials for the sandbox chosen last time: the emulator starts, the reason is logged.
      options.logger.warn(`${(error as Error).message} Starting the emulator instead.`)
      options.choice.write({ environment: 'emulator', publicUrl })
      runtime = await runtimeFor('emulator', gen)
    }
    await run(runtime, gen)
  }

  async function doSwitch(choice: EnvironmentChoice, gen: number): Promise<EnvironmentView> {
    const next = choice.publicUrl ?? publicUrl
    // Refused before anything stops: a choice the tunnel manager would refuse at start.
    checkPublicUrl(next)
    const previous = publicUrl
    publicUrl = next
    let runtime: Runtime
    try {
      // Built first: a sandbox without credentials is refused before anything is stopped.
      runtime = await runtimeFor(choice.environment, gen)
    } catch (error) {
      publicUrl = previous
      if (error === SUPERSEDED) return view()
      throw error
    }
    options.choice.write({ environment: choice.environment, publicUrl: next })
    const old = current
    if (old)
      options.logger.info(
        `switching to the ${choice.environment}: stopping ${old.runtime.target.label} (its run stays in ${old.runtime.stateDir})`
      )
    await release(old)
    await run(runtime, gen)
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
        emulator: emulatorStateDir ?? resolveStateDir(emulatorTarget, { baseDir: options.baseDir }),
        sandbox: credentials?.projectId ? sandboxDirOf(credentials.projectId) : null
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
    start() {
      if (current) return current.ports.start()
      return startChosen(generation)
    },
    async switchTo(choice) {
      if (stopped) throw new AppError('not_running', 'The app is closing.')
      const gen = ++generation
      // A start still under way (stuck reaching Stark) is given up for the newer choice.
      void starting?.stop()
      if (choice.environment === 'sandbox') sandboxPending++
      try {
        return await doSwitch(choice, gen)
      } finally {
        if (choice.environment === 'sandbox') sandboxPending--
      }
    },
    sandboxInUse() {
      if (sandboxPending > 0) return true
      if (!current || isEmulator(current.runtime.target.kind)) return false
      return ['starting', 'running', 'stopping'].includes(current.runtime.phase)
    },
    async testConnection() {
      const { runtime } = requireCurrent()
      // A sandbox that is not running (its start failed) is tested with the key saved now, which
      // the user may have replaced since: a runtime built for the test only, never started.
      const tested =
        runtime.phase !== 'running' && runtime.target.kind === 'sandbox'
          ? await runtimeFor('sandbox')
          : runtime
      const report = await tested.testConnection()
      // The webhook's secret path stays off the screen, and key material out of any message.
      return report.ok
        ? {
            ...report,
            webhooks: report.webhooks.map((w) => ({ ...w, url: hideWebhookSecret(w.url) }))
          }
        : { ...report, message: redactSecrets(report.message) }
    },
    onChange(listener) {
      changeListeners.add(listener)
      return () => changeListeners.delete(listener)
    },
    async stop() {
      stopped = true
      generation++
      void starting?.stop()
      await release(current)
    }
  }
}

/** Thrown inside an operation a newer one superseded; never leaves this module. */
const SUPERSEDED = new Error('superseded by a newer operation')

/** The tunnel manager's own rules for a public URL choice, applied before anything is stopped. */
function checkPublicUrl(choice: PublicUrlChoice): void {
  if (choice.mode === 'localtunnel') checkMode({ kind: 'localtunnel', host: choice.host })
  else if (choice.mode === 'public-url') checkMode({ kind: 'public-url', url: choice.url })
}
