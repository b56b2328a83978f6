/**
 * The runtime's lifecycle (see runtime.ts for the interface and its rules): the start sequence with
 * an undo step pushed for everything it sets up, and stop() unwinding them.
 */
import type { RuntimePhase, RuntimeStatus } from '../../shared/contract'
import { AppError, isAppError } from '../../shared/errors'
import type { Logger } from '../engine/context'
import { createSimulator, type Simulator } from '../engine/simulator'
import type { Connection } from '../stark/targets'
import { disconnectStark } from '../stark/sdk'
import { connect } from './connect'
import { checkConnection } from './connection-check'
import { emulatorControls, type EmulatorControls } from './emulator-controls'
import { lockFolder } from './folder-lock'
import { openFolderIdentity } from './folder-identity'
import { withRetry, type RetryOptions } from './retry'
import type { Runtime, RuntimeOptions, RuntimeTarget } from './runtime'
import { prepareFolder, resolveStateDir } from './state-folder'
import { createPublicUrl, type PublicUrlLink } from './public-url'
import { withInstallationTag } from './tagged-client'
import { UndoStack } from './undo-stack'

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined }

/** The one live runtime of this process: the SDK's user and agent are process-wide. */
let live: object | undefined

function labelOf(options: RuntimeOptions): string {
  const t = options.target
  if (t.kind === 'embedded') return 'Embedded emulator'
  if (t.kind === 'sandbox') return `Sandbox project ${t.projectId}`
  return `Emulator at ${new URL(t.url).host}`
}

function startFailure(error: unknown, port: number | undefined, host: string): AppError {
  if (isAppError(error)) return error as AppError
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'EADDRINUSE' || code === 'EACCES') {
    return new AppError(
      'invalid_args',
      `The webhook port ${port ?? 0} on ${host} ${code === 'EADDRINUSE' ? 'is already in use by another program' : 'may not be used by this user'}. Choose another port, or 0 for any free port.`
    )
  }
  return new AppError('unavailable', error instanceof Error ? error.message : String(error), {
    cause: error
  })
}

/** The public URL the options ask for, if any; refuses both at once or a malformed one. */
function publicUrlOf(
  options: RuntimeOptions,
  realTime: () => number,
  logger: Logger,
  onChange: () => void
): PublicUrlLink | undefined {
  if (options.tunnel && options.publicUrl !== undefined)
    throw new AppError(
      'invalid_args',
      'Choose either a localtunnel tunnel or your own public URL, not both.'
    )
  if (!options.tunnel && options.publicUrl === undefined) return undefined
  return createPublicUrl({
    mode: options.tunnel
      ? { kind: 'localtunnel', ...options.tunnel }
      : { kind: 'public-url', url: options.publicUrl as string },
    realTime,
    logger,
    tuning: options.publicUrlTuning,
    onChange
  })
}

export function createRuntimeImpl(options: RuntimeOptions): Runtime {
  const { realTime } = options
  const logger = options.logger ?? quiet
  const choice = options.target
  const stateDir = resolveStateDir(choice, options)
  const suggested = resolveStateDir(choice, { baseDir: options.baseDir })
  const stepMs = options.stopStepMs ?? 10_000
  const host = options.webhook?.host ?? '127.0.0.1'
  const undo = new UndoStack()
  const abort = new AbortController()
  const retry: RetryOptions = {
    ...options.retry,
    signal: abort.signal,
    onRetry: (message) => logger.warn(message)
  }
  const token = {}
  const listeners = new Set<(status: RuntimeStatus) => void>()

  let phase: RuntimePhase = 'idle'
  let failure: AppError | undefined
  let connection: Connection | undefined
  let sim: Simulator | undefined
  let webhookUrl: string | undefined
  let controls: EmulatorControls | undefined
  let link: PublicUrlLink | undefined
  let starting: Promise<void> | undefined
  let stopping: Promise<void> | undefined

  const target = (): RuntimeTarget => ({
    kind: choice.kind,
    label: labelOf(options),
    emulatorUrl: connection?.emulatorUrl ?? null,
    projectId:
      choice.kind === 'sandbox'
        ? choice.projectId
        : ((connection?.sdk.user as { id?: string } | null)?.id ?? null)
  })

  const status = (): RuntimeStatus => ({
    phase,
    error: failure ? { code: failure.code, message: failure.message } : null,
    environment: choice.kind === 'sandbox' ? 'sandbox' : 'emulator',
    target: target(),
    stateDir,
    webhook: {
      listening: phase === 'running' && !!webhookUrl,
      url: webhookUrl ?? null,
      // Counted by the engine even where the journal keeps only a sample of them.
      rejected: sim?.snapshot().rejected.total ?? 0
    },
    clock: {
      now: connection?.clock.now() ?? realTime(),
      speed: connection?.clock.speed ?? (choice.kind === 'sandbox' ? 1 : (choice.speed ?? 1))
    },
    publicUrl: link?.status() ?? null
  })

  const changed = (): void => {
    const snapshot = status()
    for (const listener of listeners) {
      try {
        listener(snapshot)
      } catch (error) {
        logger.error(`a runtime listener failed: ${String(error)}`)
      }
    }
  }
  const setPhase = (next: RuntimePhase): void => {
    phase = next
    changed()
  }
  const checkAborted = (): void => {
    if (abort.signal.aborted)
      throw new AppError('not_running', 'The runtime was stopped while it was starting.')
  }

  // proper-lockfile found the lock gone or taken: another process may write the journal now.
  const lockLost = (error: Error): void => {
    failure = new AppError(
      'state_locked',
      `The lock on ${stateDir} was lost (${error.message}): stopping at once so that two processes never write one journal. Check that no other process uses this folder, then start again.`
    )
    logger.error(failure.message)
    void stop().then(() => setPhase('failed'))
  }

  async function createAndStart(): Promise<void> {
    const conn = connection as Connection
    const installation = await openFolderIdentity({
      dir: stateDir,
      kind: choice.kind,
      identity: conn.identity,
      stark: conn.stark,
      suggested,
      realTime,
      retry,
      notice: (message) => logger.info(message)
    })
    checkAborted()
    let simulator: Simulator
    try {
      simulator = await createSimulator({
        clock: conn.clock,
        stark: withInstallationTag(conn.stark, installation.installationId),
        stateDir,
        logger,
        seed: options.seed,
        catchUpIntervalMs: options.catchUpIntervalMs,
        realTime,
        webhook: { host, port: options.webhook?.port ?? 0, probe: link?.nonces }
      })
    } catch (error) {
      if (isAppError(error)) throw error
      throw new AppError('state_damaged', (error as Error).message, { cause: error })
    }
    undo.push('the engine', () => simulator.stop())
    sim = simulator
    options.onSimulator?.(simulator)
    try {
      webhookUrl = (await simulator.start()).webhookUrl
    } catch (error) {
      throw startFailure(error, options.webhook?.port, host)
    }
  }

  async function doStart(): Promise<void> {
    setPhase('starting')
    try {
      if (live) {
        throw new AppError(
          'refused',
          'Another runtime is already live in this process; stop it first (the Stark connection is process-wide).'
        )
      }
      live = token
      undo.push('the process slot', () => {
        if (live === token) live = undefined
      })
      link = publicUrlOf(options, realTime, logger, changed)
      await prepareFolder(stateDir)
      const lock = await lockFolder(stateDir, { realTime, onCompromised: lockLost })
      undo.push('the folder lock', () => lock.release())
      checkAborted()
      connection = await connect({
        choice,
        stateDir,
        realTime,
        undo,
        retry,
        log: (line) => logger.info(line)
      })
      checkAborted()
      await createAndStart()
      checkAborted()
      if (options.registerWebhook ?? (choice.kind !== 'sandbox' && !link)) await registerWebhook()
      checkAborted()
      if (link) await startPublicUrl(link)
      checkAborted()
      setPhase('running')
    } catch (error) {
      const aborted = abort.signal.aborted
      failure = aborted ? undefined : startFailure(error, options.webhook?.port, host)
      await undo.unwind(stepMs, (message) => logger.warn(message))
      sim = undefined
      connection = undefined
      setPhase(aborted ? 'stopped' : 'failed')
      throw failure ?? startFailure(error, options.webhook?.port, host)
    }
  }

  async function doStop(): Promise<void> {
    abort.abort()
    if (phase === 'starting') {
      // A call stuck reaching Stark (up to its 60 s silence limit) would hold the stop until it
      // gave up. While this runtime starts it holds the process's SDK slot, so its connections
      // are cut now: the call fails at once and the start unwinds.
      if (live === token) disconnectStark()
      await starting?.catch(() => undefined)
    }
    if (phase !== 'running') {
      if (phase === 'idle') setPhase('stopped')
      return
    }
    setPhase('stopping')
    await undo.unwind(stepMs, (message) => logger.warn(message))
    sim = undefined
    setPhase('stopped')
  }

  function stop(): Promise<void> {
    stopping ??= doStop()
    return stopping
  }

  async function startPublicUrl(publicUrl: PublicUrlLink): Promise<void> {
    // Pushed first: a tunnel half-opened when start fails is closed like one that came up.
    undo.push('the public URL', () => publicUrl.stop())
    const local = new URL(webhookUrl as string)
    await publicUrl.start({
      simulator: requireSim(),
      localWebhookUrl: local.toString(),
      localPort: Number(local.port),
      localHost: host,
      register: (url) => registerWebhook(url),
      owner: options.webhookOwner
        ? { installationId: options.webhookOwner.installationId, stateDir }
        : undefined
    })
  }

  async function registerWebhook(
    url?: string
  ): Promise<{ id: string; created: boolean; removed: number }> {
    const simulator = requireSim()
    const result = await withRetry(
      'registering the webhook',
      () => simulator.registerWebhook(url),
      retry
    )
    changed()
    return result
  }

  function requireSim(): Simulator {
    if (!sim)
      throw new AppError(
        'not_running',
        `The runtime is ${phase}: start it first (a stopped runtime cannot start again; create a new one).`
      )
    return sim
  }

  return {
    get phase() {
      return phase
    },
    get simulator() {
      return requireSim()
    },
    get target() {
      return target()
    },
    stateDir,
    get webhookUrl() {
      return webhookUrl
    },
    get clock() {
      return connection?.clock
    },
    get emulator() {
      if (choice.kind !== 'embedded' || !connection?.emulatorUrl || phase !== 'running')
        return undefined
      controls ??= emulatorControls(connection.emulatorUrl)
      return controls
    },
    get documents() {
      return phase === 'running' ? connection?.stark : undefined
    },
    start() {
      if (phase === 'idle') starting = doStart()
      else if (phase !== 'starting' && phase !== 'running')
        return Promise.reject(
          new AppError('not_running', `This runtime is ${phase}; create a new one to start again.`)
        )
      return starting as Promise<void>
    },
    startClock() {
      if (choice.kind === 'embedded' && choice.deferClock && connection)
        connection.clock.setSpeed(choice.speed ?? 1)
    },
    stop,
    status,
    onChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    registerWebhook,
    verify: () => withRetry('checking the run at Stark', () => requireSim().verify(), retry),
    testConnection: () =>
      checkConnection({
        choice,
        connection: phase === 'running' ? connection : undefined,
        slotFree: live === undefined,
        realTime
      })
  }
}
