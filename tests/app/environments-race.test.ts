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
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDispatch } from '../../src/main/app/dispatch'
import { environmentHandlers } from '../../src/main/app/environment-handlers'
import { createEnvironments, type Environments } from '../../src/main/app/environments'
import { createHandlers } from '../../src/main/app/handlers'
import { memoryChoice } from '../../src/main/app/prefs'
import { checkConnection } from '../../src/main/runtime/connection-check'
import { createRuntime, type Runtime } from '../../src/main/runtime/runtime'
import { createKeyStore, type KeyStore } from '../../src/main/secrets/key-store'
import { memoryStore } from '../../src/main/secrets/kv-store'
import { memoryEncryptor } from '../../src/main/secrets/memory-encryptor'
import { startEmulator, type Emulator } from '../../src/main/emulator/emulator'
import { generateKeyPair } from '../../src/main/stark/keys'
import { environmentsHost, quietLogger, sandboxRuntimes } from '../helpers/sandbox-runtimes'
import { startTlsEmulator, type TlsEmulator } from '../helpers/tls-emulator'

describe('environments: a switch during the first start', () => {
  let dir: string | undefined
  let environments: Environments | undefined
  const created: Runtime[] = []
  // The "sandbox": an emulator behind TLS as sandbox.api.starkbank.com (no real network).
  const sandboxKey = generateKeyPair()
  let stark: Emulator
  let front: TlsEmulator
  let projectId: string
  beforeAll(async () => {
    stark = await startEmulator({ speed: 0, seed: 3 })
    projectId = stark.registerProject(sandboxKey.publicPem)
    front = await startTlsEmulator(stark.port)
  })

  afterAll(async () => {
    await environments?.stop()
    // Whatever the manager lost track of, so that the test does not leak a running runtime.
    await Promise.all(created.map((r) => r.stop().catch(() => undefined)))
    if (dir) await rm(dir, { recursive: true, force: true })
    await front?.close()
    await stark?.stop()
  })

  const slowKeys = async (): Promise<{ keys: KeyStore; release: () => void }> => {
    const store = createKeyStore({ store: memoryStore(), encryptor: memoryEncryptor() })
    await store.save({ projectId, privateKeyPem: sandboxKey.privatePem })
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
      createRuntime: sandboxRuntimes(front, { onCreate: (runtime) => void created.push(runtime) }),
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
  const sandboxKey = generateKeyPair()
  let stark: Emulator
  let front: TlsEmulator
  let dir: string
  let environments: Environments | undefined
  // Between the sandbox agent and the TLS front: refuses, holds, or passes connections.
  let mode: 'refuse' | 'hold' | 'pass' = 'refuse'
  const held: Socket[] = []
  let proxy: Server

  beforeAll(async () => {
    stark = await startEmulator({ speed: 0, seed: 3 })
    front = await startTlsEmulator(stark.port)
    dir = await mkdtemp(join(tmpdir(), 'ssim-env-test-race-'))
    proxy = createServer((socket) => {
      if (mode === 'refuse') return socket.destroy()
      if (mode === 'hold') return void held.push(socket)
      const upstream = connect(front.trust().connectTo.port, '127.0.0.1')
      socket.pipe(upstream).pipe(socket)
      socket.on('error', () => upstream.destroy())
      upstream.on('error', () => socket.destroy())
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  })
  afterAll(async () => {
    await environments?.stop()
    held.forEach((s) => s.destroy())
    await new Promise((resolve) => proxy.close(resolve))
    await front?.close()
    await stark?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('Given a sandbox whose start failed, When Test connection is pending and the user switches to the emulator, Then the emulator keeps its Stark connection', async () => {
    const projectId = stark.registerProject(sandboxKey.publicPem)
    const keys = createKeyStore({ store: memoryStore(), encryptor: memoryEncryptor() })
    await keys.save({ projectId, privateKeyPem: sandboxKey.privatePem })
    const port = (proxy.address() as AddressInfo).port
    environments = createEnvironments({
      baseDir: dir,
      choice: memoryChoice({ environment: 'sandbox', publicUrl: { mode: 'off' } }),
      keys,
      speed: 0,
      createRuntime: sandboxRuntimes(front, { viaPort: port }),
      logger: quietLogger
    })
    await environments.start()
    expect(environments.status()).toMatchObject({ phase: 'failed', environment: 'sandbox' })

    // The user asks why: Test connection connects the SDK just for itself; Stark is slow to answer.
    mode = 'hold'
    const testing = environments.testConnection().catch((error: Error) => error)
    while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    // Meanwhile the presenter gives up and goes back to the emulator.
    await environments.switchTo({ environment: 'emulator' })
    expect(environments.status()).toMatchObject({
      phase: 'running',
      environment: 'emulator',
      error: null
    })
    mode = 'pass'
    held.forEach((s) => s.destroy())
    await testing

    // The emulator's engine must still reach its Stark (the test must not have cleared the SDK's
    // process-wide user and agent under it).
    const report = await environments.testConnection()
    expect(report).toMatchObject({ ok: true })
  }, 30_000)
})

describe('environments: the key changed while a switch to the sandbox is under way', () => {
  const sandboxKey = generateKeyPair()
  let stark: Emulator
  let front: TlsEmulator
  let dir: string
  let environments: Environments | undefined

  beforeAll(async () => {
    stark = await startEmulator({ speed: 0, seed: 3 })
    front = await startTlsEmulator(stark.port)
    dir = await mkdtemp(join(tmpdir(), 'ssim-env-key-race-'))
  })
  afterAll(async () => {
    await environments?.stop()
    await front?.close()
    await stark?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('Given a switch to the sandbox stopping the emulator, When the key is deleted meanwhile, Then the delete is refused (the sandbox starts with that key)', async () => {
    const projectId = stark.registerProject(sandboxKey.publicPem)
    const keys = createKeyStore({ store: memoryStore(), encryptor: memoryEncryptor() })
    await keys.save({ projectId, privateKeyPem: sandboxKey.privatePem })
    let deleted: Promise<unknown> | undefined
    const late: { handlers?: ReturnType<typeof environmentHandlers> } = {}
    environments = createEnvironments({
      baseDir: dir,
      choice: memoryChoice({ environment: 'emulator', publicUrl: { mode: 'off' } }),
      keys,
      speed: 0,
      createRuntime: sandboxRuntimes(front, {
        onCreate: (_runtime, asked) => {
          // The sandbox's runtime exists (the key is read) and the emulator is about to stop: the
          // user deletes the key now (another dashboard tab, or the Sandbox panel still open).
          if (asked.target.kind === 'sandbox') deleted = late.handlers?.['keys:delete'](undefined)
        }
      }),
      logger: quietLogger
    })
    await environments.start()
    late.handlers = environmentHandlers(environmentsHost(environments, keys, dir))
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
  const sandboxKey = generateKeyPair()
  let stark: Emulator
  let front: TlsEmulator
  let dir: string
  let environments: Environments | undefined
  let initial: Runtime | undefined

  beforeAll(async () => {
    stark = await startEmulator({ speed: 0, seed: 3 })
    front = await startTlsEmulator(stark.port)
    dir = await mkdtemp(join(tmpdir(), 'ssim-env-cli-dir-'))
  })
  afterAll(async () => {
    await environments?.stop()
    await initial?.stop()
    await front?.close()
    await stark?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('Given the sandbox run in the folder the user named, When the page switches to the emulator and back, Then the sandbox resumes in that folder', async () => {
    const projectId = stark.registerProject(sandboxKey.publicPem)
    const target = {
      kind: 'sandbox' as const,
      projectId,
      privateKeyPem: sandboxKey.privatePem,
      testTrust: front.trust()
    }
    const build = sandboxRuntimes(front)
    // As src/cli/headless.ts does for `--private-key k --project-id p --state-dir <dir>/my-run --ui`.
    const named = join(dir, 'my-run')
    initial = createRuntime({
      realTime: () => Date.now(),
      target,
      stateDir: named,
      seed: 5,
      stopStepMs: 3_000
    })
    await initial.start()
    const keys = createKeyStore({ store: memoryStore(), encryptor: memoryEncryptor() })
    await keys.save({ projectId, privateKeyPem: sandboxKey.privatePem })
    environments = createEnvironments({
      baseDir: dir,
      choice: memoryChoice({ environment: 'sandbox', publicUrl: { mode: 'off' } }),
      keys,
      speed: 0,
      createRuntime: build,
      initial,
      logger: quietLogger
    })
    // What the switch dialog names as the folder the sandbox's run stays in.
    expect.soft((await environments.view()).stateDirs.sandbox).toBe(named)
    await environments.switchTo({ environment: 'emulator' })
    await environments.switchTo({ environment: 'sandbox' })
    expect(environments.status()).toMatchObject({ phase: 'running', stateDir: named })
  }, 30_000)
})

describe('environments: Test connection after the key was replaced', () => {
  const sandboxKey = generateKeyPair()
  let stark: Emulator
  let front: TlsEmulator
  let dir: string
  let environments: Environments | undefined
  let refuse = true
  let proxy: Server

  beforeAll(async () => {
    stark = await startEmulator({ speed: 0, seed: 3 })
    front = await startTlsEmulator(stark.port)
    dir = await mkdtemp(join(tmpdir(), 'ssim-env-test-key-'))
    proxy = createServer((socket) => {
      if (refuse) return socket.destroy()
      const upstream = connect(front.trust().connectTo.port, '127.0.0.1')
      socket.pipe(upstream).pipe(socket)
      socket.on('error', () => upstream.destroy())
      upstream.on('error', () => socket.destroy())
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  })
  afterAll(async () => {
    await environments?.stop()
    await new Promise((resolve) => proxy.close(resolve))
    await front?.close()
    await stark?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('Given a sandbox whose start failed, When the user saves another key and tests the connection, Then the saved key is tested', async () => {
    const projectId = stark.registerProject(sandboxKey.publicPem)
    const keys = createKeyStore({ store: memoryStore(), encryptor: memoryEncryptor() })
    await keys.save({ projectId, privateKeyPem: sandboxKey.privatePem })
    const port = (proxy.address() as AddressInfo).port
    environments = createEnvironments({
      baseDir: dir,
      choice: memoryChoice({ environment: 'sandbox', publicUrl: { mode: 'off' } }),
      keys,
      speed: 0,
      createRuntime: sandboxRuntimes(front, { viaPort: port }),
      logger: quietLogger
    })
    await environments.start()
    expect(environments.status()).toMatchObject({ phase: 'failed', environment: 'sandbox' })

    // Not running, so the key may be replaced (environment-handlers.ts `changeable`): the user
    // pastes another key, one this project does not know.
    const other = generateKeyPair()
    const saved = await keys.save({ projectId, privateKeyPem: other.privatePem })
    refuse = false
    const report = await environments.testConnection()
    // The answer must be about the key now saved (Stark refuses it), not the one the failed
    // runtime was built with.
    expect({ saved: saved.fingerprint, report }).toMatchObject({ report: { ok: false } })
  }, 30_000)

  it('(the premise) Stark refuses that other key for this project', async () => {
    const projectId = stark.registerProject(generateKeyPair().publicPem)
    const report = await checkConnection({
      choice: {
        kind: 'sandbox',
        projectId,
        privateKeyPem: generateKeyPair().privatePem,
        testTrust: front.trust()
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
  const sandboxKey = generateKeyPair()
  let stark: Emulator
  let front: TlsEmulator
  let dir: string
  let environments: Environments | undefined
  const held: Socket[] = []
  let proxy: Server

  beforeAll(async () => {
    stark = await startEmulator({ speed: 0, seed: 3 })
    front = await startTlsEmulator(stark.port)
    dir = await mkdtemp(join(tmpdir(), 'ssim-env-hang-'))
    proxy = createServer((socket) => void held.push(socket))
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  })
  afterAll(async () => {
    held.forEach((s) => s.destroy())
    await environments?.stop()
    await new Promise((resolve) => proxy.close(resolve))
    await front?.close()
    await stark?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('Given a switch to the sandbox stuck reaching Stark, When the presenter goes back to the emulator, Then the stuck start is given up and the emulator runs', async () => {
    const projectId = stark.registerProject(sandboxKey.publicPem)
    const keys = createKeyStore({ store: memoryStore(), encryptor: memoryEncryptor() })
    await keys.save({ projectId, privateKeyPem: sandboxKey.privatePem })
    const port = (proxy.address() as AddressInfo).port
    environments = createEnvironments({
      baseDir: dir,
      choice: memoryChoice({ environment: 'emulator', publicUrl: { mode: 'off' } }),
      keys,
      speed: 0,
      createRuntime: sandboxRuntimes(front, { viaPort: port }),
      logger: quietLogger
    })
    await environments.start()
    const stuck = environments.switchTo({ environment: 'sandbox' }).catch((e: Error) => e)
    while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    const back = await environments
      .switchTo({ environment: 'emulator' })
      .then(() => 'switched')
      .catch((e: Error) => e.message)
    held.forEach((s) => s.destroy())
    await stuck
    expect(back).toBe('switched')
  }, 30_000)
})
