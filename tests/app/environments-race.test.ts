/**
 * Review of issue 9: the environments manager under overlapping operations, on real runtimes (the
 * sandbox is an emulator behind TLS as sandbox.api.starkbank.com; a loopback proxy refuses, holds or
 * passes its connections). Each case failed on main when written: a switch or quit during the first
 * start, Test connection during a switch, a key change during a switch, the CLI's --state-dir after
 * a switch back, Test connection after a key change, a tunnel host refused only at start, and a
 * stuck sandbox start that cannot be left.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDispatch } from '../../src/main/app/dispatch'
import { environmentHandlers } from '../../src/main/app/environment-handlers'
import {
  createEnvironments,
  type Environments,
  type EnvironmentsOptions
} from '../../src/main/app/environments'
import { createHandlers } from '../../src/main/app/handlers'
import { memoryChoice } from '../../src/main/app/prefs'
import { checkConnection } from '../../src/main/runtime/connection-check'
import { createRuntime, type Runtime } from '../../src/main/runtime/runtime'
import { createKeyStore, type KeyStore } from '../../src/main/secrets/key-store'
import { memoryStore } from '../../src/main/secrets/kv-store'
import { memoryEncryptor } from '../../src/main/secrets/memory-encryptor'
import { generateKeyPair } from '../../src/main/stark/keys'
import { environmentsHost, quietLogger, sandboxRuntimes } from '../helpers/sandbox-runtimes'
import {
  startGateProxy,
  useSandboxStark,
  type GateProxy,
  type SandboxStark
} from '../helpers/sandbox-stark'

/** The manager as the app builds it, on the sandbox fixture's folder, starting on `environment`. */
const managerFor = (
  sandbox: SandboxStark,
  keys: KeyStore,
  environment: 'emulator' | 'sandbox',
  createRuntime: EnvironmentsOptions['createRuntime'],
  more: Partial<EnvironmentsOptions> = {}
): Environments =>
  createEnvironments({
    baseDir: sandbox.dir,
    choice: memoryChoice({ environment, publicUrl: { mode: 'off' } }),
    keys,
    speed: 0,
    createRuntime,
    logger: quietLogger,
    ...more
  })

describe('environments: a switch during the first start', () => {
  let dir: string | undefined
  let environments: Environments | undefined
  const created: Runtime[] = []
  const sandbox = useSandboxStark('ssim-env-start-')
  let projectId: string
  beforeAll(() => {
    projectId = sandbox.stark.registerProject(sandbox.key.publicPem)
  })
  sandbox.atEnd(async () => {
    await environments?.stop()
    // Whatever the manager lost track of, so that the test does not leak a running runtime.
    await Promise.all(created.map((r) => r.stop().catch(() => undefined)))
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  const slowKeys = async (): Promise<{ keys: KeyStore; release: () => void }> => {
    const store = createKeyStore({ store: memoryStore(), encryptor: memoryEncryptor() })
    await store.save({ projectId, privateKeyPem: sandbox.key.privatePem })
    let release: () => void = () => undefined
    const gate = new Promise<void>((resolve) => (release = resolve))
    // The keychain answers only when the test says so (on macOS, after the user's "Allow").
    const keys: KeyStore = {
      ...store,
      credentials: async () => {
        await gate
        return store.credentials()
      }
    }
    return { keys, release }
  }
  const manager = (base: string, keys: KeyStore): Environments =>
    createEnvironments({
      baseDir: base,
      choice: memoryChoice({ environment: 'sandbox', publicUrl: { mode: 'off' } }),
      keys,
      speed: 0,
      createRuntime: sandboxRuntimes(sandbox.front, {
        onCreate: (runtime) => void created.push(runtime)
      }),
      logger: quietLogger
    })
  const stillRunning = (): string[] =>
    created
      .filter((r) => r.phase === 'running' || r.phase === 'starting')
      .map((r) => `${r.target.label} in ${r.stateDir}`)

  it('Given a slow key read at startup, When the app quits meanwhile, Then no runtime starts after stop()', async () => {
    const base = await mkdtemp(join(tmpdir(), 'ssim-env-quit-'))
    const { keys, release } = await slowKeys()
    const quitting = manager(base, keys)
    try {
      const starting = quitting.start()
      await quitting.stop()
      release()
      await starting
      // Nothing may be started once stop() has returned: this sandbox runs (and holds its folder)
      // after the window closed.
      expect(created.map((r) => `${r.target.label}: ${r.phase}`)).toEqual([])
    } finally {
      await Promise.all(created.map((r) => r.stop().catch(() => undefined)))
      await rm(base, { recursive: true, force: true })
    }
  }, 30_000)

  it('Given the sandbox chosen last time and a slow key read, When the user switches to the emulator meanwhile, Then stop() leaves no runtime running', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ssim-env-race-'))
    const { keys, release } = await slowKeys()
    environments = manager(dir, keys)
    const starting = environments.start()
    await environments.switchTo({ environment: 'emulator' })
    expect(environments.status()).toMatchObject({ phase: 'running', environment: 'emulator' })
    release()
    await starting

    await environments.stop()
    expect(stillRunning()).toEqual([])
  }, 30_000)
})

describe('environments: Test connection on a failed sandbox while switching', () => {
  const sandbox = useSandboxStark('ssim-env-test-race-')
  let environments: Environments | undefined
  let gate: GateProxy
  beforeAll(async () => {
    gate = await startGateProxy(sandbox.front, 'refuse')
  })
  sandbox.atEnd(async () => {
    await environments?.stop()
    await gate.close()
  })

  it('Given a sandbox whose start failed, When Test connection is pending and the user switches to the emulator, Then the emulator keeps its Stark connection', async () => {
    const { keys } = await sandbox.savedKeys()
    environments = managerFor(
      sandbox,
      keys,
      'sandbox',
      sandboxRuntimes(sandbox.front, { viaPort: gate.port })
    )
    await environments.start()
    expect(environments.status()).toMatchObject({ phase: 'failed', environment: 'sandbox' })

    // The user asks why: Test connection connects the SDK just for itself; Stark is slow to answer.
    gate.mode = 'hold'
    const testing = environments.testConnection().catch((error: Error) => error)
    while (gate.holding === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    // Meanwhile the presenter gives up and goes back to the emulator.
    await environments.switchTo({ environment: 'emulator' })
    expect(environments.status()).toMatchObject({
      phase: 'running',
      environment: 'emulator',
      error: null
    })
    gate.mode = 'pass'
    gate.release()
    await testing

    // The emulator's engine must still reach its Stark (the test must not have cleared the SDK's
    // process-wide user and agent under it).
    const report = await environments.testConnection()
    expect(report).toMatchObject({ ok: true })
  }, 30_000)
})

describe('environments: the key changed while a switch to the sandbox is under way', () => {
  const sandbox = useSandboxStark('ssim-env-key-race-')
  let environments: Environments | undefined
  sandbox.atEnd(async () => {
    await environments?.stop()
  })

  it('Given a switch to the sandbox stopping the emulator, When the key is deleted meanwhile, Then the delete is refused (the sandbox starts with that key)', async () => {
    const { keys } = await sandbox.savedKeys()
    let deleted: Promise<unknown> | undefined
    const late: { handlers?: ReturnType<typeof environmentHandlers> } = {}
    environments = managerFor(
      sandbox,
      keys,
      'emulator',
      sandboxRuntimes(sandbox.front, {
        onCreate: (_runtime, asked) => {
          // The sandbox's runtime exists (the key is read) and the emulator is about to stop: the
          // user deletes the key now (another dashboard tab, or the Sandbox panel still open).
          if (asked.target.kind === 'sandbox') deleted = late.handlers?.['keys:delete'](undefined)
        }
      })
    )
    await environments.start()
    late.handlers = environmentHandlers(environmentsHost(environments, keys, sandbox.dir))
    await environments.switchTo({ environment: 'sandbox' })
    expect(deleted).toBeDefined()
    const answer = await deleted
    expect({
      answer,
      running: environments.status().phase,
      keyShown: (await keys.view()) !== undefined
    }).toMatchObject({ answer: { ok: false, code: 'run_active' }, keyShown: true })
  }, 30_000)
})

describe('environments: the CLI started on the sandbox with --state-dir', () => {
  const sandbox = useSandboxStark('ssim-env-cli-dir-')
  let environments: Environments | undefined
  let initial: Runtime | undefined
  sandbox.atEnd(async () => {
    await environments?.stop()
    await initial?.stop()
  })

  it('Given the sandbox run in the folder the user named, When the page switches to the emulator and back, Then the sandbox resumes in that folder', async () => {
    const { keys, projectId } = await sandbox.savedKeys()
    const target = {
      kind: 'sandbox' as const,
      projectId,
      privateKeyPem: sandbox.key.privatePem,
      testTrust: sandbox.front.trust()
    }
    const build = sandboxRuntimes(sandbox.front)
    // As src/cli/headless.ts does for `--private-key k --project-id p --state-dir <dir>/my-run --ui`.
    const named = join(sandbox.dir, 'my-run')
    initial = createRuntime({
      realTime: () => Date.now(),
      target,
      stateDir: named,
      seed: 5,
      stopStepMs: 3_000
    })
    await initial.start()
    environments = managerFor(sandbox, keys, 'sandbox', build, { initial })
    // What the switch dialog names as the folder the sandbox's run stays in.
    expect.soft((await environments.view()).stateDirs.sandbox).toBe(named)
    await environments.switchTo({ environment: 'emulator' })
    await environments.switchTo({ environment: 'sandbox' })
    expect(environments.status()).toMatchObject({ phase: 'running', stateDir: named })
  }, 30_000)
})

describe('environments: Test connection after the key was replaced', () => {
  const sandbox = useSandboxStark('ssim-env-test-key-')
  let environments: Environments | undefined
  let gate: GateProxy
  beforeAll(async () => {
    gate = await startGateProxy(sandbox.front, 'refuse')
  })
  sandbox.atEnd(async () => {
    await environments?.stop()
    await gate.close()
  })

  it('Given a sandbox whose start failed, When the user saves another key and tests the connection, Then the saved key is tested', async () => {
    const { keys, projectId } = await sandbox.savedKeys()
    environments = managerFor(
      sandbox,
      keys,
      'sandbox',
      sandboxRuntimes(sandbox.front, { viaPort: gate.port })
    )
    await environments.start()
    expect(environments.status()).toMatchObject({ phase: 'failed', environment: 'sandbox' })

    // Not running, so the key may be replaced (environment-handlers.ts `changeable`): the user
    // pastes another key, one this project does not know.
    const other = generateKeyPair()
    const saved = await keys.save({ projectId, privateKeyPem: other.privatePem })
    gate.mode = 'pass'
    const report = await environments.testConnection()
    // The answer must be about the key now saved (Stark refuses it), not the one the failed
    // runtime was built with.
    expect({ saved: saved.fingerprint, report }).toMatchObject({ report: { ok: false } })
  }, 30_000)

  it('(the premise) Stark refuses that other key for this project', async () => {
    const projectId = sandbox.stark.registerProject(generateKeyPair().publicPem)
    const report = await checkConnection({
      choice: {
        kind: 'sandbox',
        projectId,
        privateKeyPem: generateKeyPair().privatePem,
        testTrust: sandbox.front.trust()
      },
      connection: undefined,
      slotFree: true,
      realTime: () => Date.now()
    })
    expect(report).toMatchObject({ ok: false })
  }, 30_000)
})

describe('environments: a public URL choice the runtime refuses', () => {
  let dir: string
  let environments: Environments | undefined

  afterAll(async () => {
    await environments?.stop()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('Given the emulator running, When a tunnel host with a path is applied, Then it is refused before the running engine stops', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ssim-env-bad-host-'))
    const keys = createKeyStore({ store: memoryStore(), encryptor: memoryEncryptor() })
    const choice = memoryChoice({ environment: 'emulator', publicUrl: { mode: 'off' } })
    environments = createEnvironments({
      baseDir: dir,
      choice,
      keys,
      speed: 0,
      createRuntime: (options) =>
        createRuntime({ realTime: () => Date.now(), ...options, seed: 5, stopStepMs: 3_000 }),
      logger: quietLogger
    })
    await environments.start()
    const dispatch = createDispatch(createHandlers(environmentsHost(environments, keys, dir)))
    // The page's own check (isWebUrl) and the contract's schema both let it through.
    const answer = await dispatch('environment:switch', [
      {
        environment: 'emulator',
        publicUrl: { mode: 'localtunnel', host: 'https://localtunnel.me/tunnels' }
      }
    ])
    expect({
      answer: { ok: answer.ok, ...(answer.ok ? {} : { code: answer.code }) },
      phase: environments.status().phase,
      remembered: choice.read().publicUrl.mode
    }).toEqual({ answer: { ok: false, code: 'invalid_args' }, phase: 'running', remembered: 'off' })
  }, 30_000)
})

describe('environments: a sandbox start that hangs (a network that swallows packets)', () => {
  const sandbox = useSandboxStark('ssim-env-hang-')
  let environments: Environments | undefined
  let gate: GateProxy
  beforeAll(async () => {
    gate = await startGateProxy(sandbox.front, 'hold')
  })
  sandbox.atEnd(async () => {
    gate.release()
    await environments?.stop()
    await gate.close()
  })

  it('Given a switch to the sandbox stuck reaching Stark, When the presenter goes back to the emulator, Then the stuck start is given up and the emulator runs', async () => {
    const { keys } = await sandbox.savedKeys()
    environments = managerFor(
      sandbox,
      keys,
      'emulator',
      sandboxRuntimes(sandbox.front, { viaPort: gate.port })
    )
    await environments.start()
    const stuck = environments.switchTo({ environment: 'sandbox' }).catch((e: Error) => e)
    while (gate.holding === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    const back = await environments
      .switchTo({ environment: 'emulator' })
      .then(() => 'switched')
      .catch((e: Error) => e.message)
    gate.release()
    await stuck
    expect(back).toBe('switched')
  }, 30_000)
})
