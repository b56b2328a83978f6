/**
 * The environments behind the contract, on real runtimes: the embedded emulator, and the sandbox
 * target's code against an emulator served over real TLS as sandbox.api.starkbank.com (the test-only
 * trust override; the real sandbox is not reachable from here). Everything goes through the
 * contract's dispatch, as the window and the dashboard call it, and no answer or log line carries
 * the private key.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { createDispatch, type Dispatch } from '../../src/main/app/dispatch'
import { createEnvironments, type Environments } from '../../src/main/app/environments'
import { createHandlers } from '../../src/main/app/handlers'
import { memoryChoice } from '../../src/main/app/prefs'
import { createRuntime } from '../../src/main/runtime/runtime'
import { createKeyStore } from '../../src/main/secrets/key-store'
import { memoryStore } from '../../src/main/secrets/kv-store'
import { memoryEncryptor } from '../../src/main/secrets/memory-encryptor'
import { generateKeyPair } from '../../src/main/stark/keys'
import type { OperationName, Result } from '../../src/shared/contract'
import { findLeak, recordingLogger } from '../helpers/key-material'
import { environmentsHost, sandboxRuntimes } from '../helpers/sandbox-runtimes'
import { useSandboxStark } from '../helpers/sandbox-stark'

describe('environments through the contract', () => {
  const sandbox = useSandboxStark('ssim-environments-')
  let environments: Environments
  let dispatch: Dispatch
  const logger = recordingLogger()
  const answers: string[] = []
  let projectId: string
  let emulatorRunId: string

  const call = async <T = unknown>(name: OperationName, args?: unknown): Promise<Result<T>> => {
    const result = (await dispatch(name, args === undefined ? [] : [args])) as Result<T>
    answers.push(JSON.stringify(result))
    return result
  }
  const ok = async <T = unknown>(name: OperationName, args?: unknown): Promise<T> => {
    const result = await call<T>(name, args)
    if (!result.ok) throw new Error(`${name} failed: ${result.code}: ${result.message}`)
    return result.data
  }

  beforeAll(async () => {
    projectId = sandbox.stark.registerProject(sandbox.key.publicPem)
    const keys = createKeyStore({ store: memoryStore(), encryptor: memoryEncryptor(), logger })
    environments = createEnvironments({
      baseDir: sandbox.dir,
      choice: memoryChoice({ environment: 'emulator', publicUrl: { mode: 'off' } }),
      keys,
      speed: 0,
      logger,
      // What only a test may do: the sandbox's TLS goes to the test's loopback front.
      createRuntime: sandboxRuntimes(sandbox.front, {
        extra: { logger, retry: { attempts: 2, firstDelayMs: 10, maxDelayMs: 20 } }
      })
    })
    dispatch = createDispatch(createHandlers(environmentsHost(environments, keys, sandbox.dir)))
    await environments.start()
  })
  sandbox.atEnd(() => environments?.stop())

  it('Given no credentials, When the sandbox is chosen, Then it is refused with what to do and the emulator keeps running', async () => {
    expect(environments.status()).toMatchObject({ phase: 'running', environment: 'emulator' })
    const run = await ok<{ runId: string }>('run:start', {
      plan: { batches: 2, minSize: 2, maxSize: 2 }
    })
    const refused = await call('environment:switch', { environment: 'sandbox' })
    expect(refused).toMatchObject({ ok: false, code: 'no_credentials' })
    expect(!refused.ok && refused.message).toMatch(/project id and load, paste or generate/)
    expect(environments.status()).toMatchObject({ phase: 'running', environment: 'emulator' })
    expect(environments.live()?.simulator.snapshot().run?.runId).toBe(run.runId)
    emulatorRunId = run.runId
  })

  it('When a key of the wrong curve or a production-looking id is given, Then it is refused without quoting it', async () => {
    const { privateKey } = await import('node:crypto').then((c) =>
      c.generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    )
    const p256 = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    const wrong = await call('keys:save', { projectId, privateKeyPem: p256 })
    expect(wrong).toMatchObject({ ok: false })
    expect(JSON.stringify(wrong)).not.toContain('PRIVATE KEY')
    const badId = await call('keys:save', {
      projectId: 'prod-123',
      privateKeyPem: sandbox.key.privatePem
    })
    expect(badId).toMatchObject({ ok: false, code: 'invalid_args' })
  })

  it('When a key is generated before its project exists, Then only its public key is shown, and the sandbox waits for the project id', async () => {
    const generated = await ok<{ projectId: string | null; publicKeyPem: string }>(
      'keys:generate',
      {}
    )
    expect(generated.projectId).toBeNull()
    expect(generated.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/)
    const waiting = await call('environment:switch', { environment: 'sandbox' })
    expect(waiting).toMatchObject({ ok: false, code: 'no_credentials' })
    expect(!waiting.ok && waiting.message).toMatch(/no project id yet/)
    const named = await ok<{ projectId: string }>('keys:set-project', { projectId: '4242424242' })
    expect(named.projectId).toBe('4242424242')
    expect(await call('keys:set-project', { projectId: 'project 1' })).toMatchObject({
      ok: false,
      code: 'invalid_args'
    })
    expect(await ok('keys:delete')).toEqual({ deleted: true })
    expect(await ok('keys:get')).toMatchObject({ credentials: null })
  })

  it('When the key is pasted and the sandbox chosen, Then the emulator stops cleanly and the sandbox runs in its own folder', async () => {
    const saved = await ok<{ projectId: string; fingerprint: string; publicKeyPem: string }>(
      'keys:save',
      { projectId, privateKeyPem: sandbox.key.privatePem }
    )
    expect(saved).toEqual({
      projectId,
      fingerprint: expect.any(String),
      publicKeyPem: sandbox.key.publicPem
    })
    const emulatorDir = environments.status().stateDir
    const view = await ok<{ environment: string; stateDirs: { sandbox: string } }>(
      'environment:switch',
      { environment: 'sandbox' }
    )
    expect(view.environment).toBe('sandbox')
    expect(view.stateDirs.sandbox).toBe(join(sandbox.dir, `sandbox-${projectId}`))
    const status = environments.status()
    expect(status).toMatchObject({
      phase: 'running',
      environment: 'sandbox',
      stateDir: join(sandbox.dir, `sandbox-${projectId}`),
      target: { kind: 'sandbox', projectId }
    })
    expect(status.stateDir).not.toBe(emulatorDir)
    // The sandbox's calls went over TLS to "Stark", signed for this project.
    expect(sandbox.front.seen.some((r) => r.accessId === `project/${projectId}`)).toBe(true)
    // No emulator controls on the sandbox.
    expect(await call('emulator:faults')).toMatchObject({ ok: false, code: 'emulator_only' })
  })

  it('When the connection is tested, Then balance, Stark’s key and the webhooks come back without the secret path', async () => {
    const report = await ok<{ ok: boolean; balance: number; webhooks: { url: string }[] }>(
      'connection:test'
    )
    expect(report).toMatchObject({ ok: true, balance: 0, starkKeyFingerprint: expect.any(String) })
  })

  it('While the sandbox runs, Then its key cannot be replaced or deleted', async () => {
    expect(await call('keys:delete')).toMatchObject({ ok: false, code: 'run_active' })
    expect(await call('keys:generate', { projectId })).toMatchObject({
      ok: false,
      code: 'run_active'
    })
  })

  it('When the emulator is chosen again, Then its run resumes where it was', async () => {
    const before = await ok<{ environment: string }>('environment:switch', {
      environment: 'emulator'
    })
    expect(before.environment).toBe('emulator')
    expect(environments.status()).toMatchObject({ phase: 'running', environment: 'emulator' })
    const run = environments.live()?.simulator.snapshot().run
    expect(run).toMatchObject({ runId: emulatorRunId, stopped: false })
  })

  it('When the sandbox key is replaced by one Stark does not know, Then the sandbox fails to start with words, and the test says the key is wrong', async () => {
    const stranger = generateKeyPair()
    await ok('keys:save', { projectId, privateKeyPem: stranger.privatePem })
    const failed = await ok<{ environment: string }>('environment:switch', {
      environment: 'sandbox'
    })
    expect(failed.environment).toBe('sandbox')
    const status = environments.status()
    expect(status.phase).toBe('failed')
    // Said as Test connection says it, not as a network problem.
    expect(status.error).toMatchObject({
      code: 'refused',
      message: expect.stringMatching(/Stark did not accept the key for project \d+/)
    })
    const report = await ok<{ ok: boolean; kind?: string; message?: string }>('connection:test')
    expect(report.ok).toBe(false)
    expect(report.message).toMatch(/project|key/i)
    // Not running: the key may be replaced, and the same choice restarts it.
    await ok('keys:save', { projectId, privateKeyPem: sandbox.key.privatePem })
    await ok('environment:switch', { environment: 'sandbox' })
    expect(environments.status()).toMatchObject({ phase: 'running', environment: 'sandbox' })
    expect(await ok('keys:get')).toMatchObject({
      protection: { backend: 'memory', protected: true },
      credentials: { projectId }
    })
  })

  it('Then no answer and no log line carried any private key', () => {
    const everything = [...answers, ...logger.lines].join('\n')
    expect(findLeak(everything, sandbox.key.privatePem)).toBeUndefined()
    expect(everything).not.toMatch(/PRIVATE KEY-----/)
  })
})

describe('environments at launch', () => {
  it('Given the sandbox was chosen last time but its key is gone, When the app starts, Then the emulator starts instead and the reason is logged', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ssim-environments-launch-'))
    const logger = recordingLogger()
    const choice = memoryChoice({ environment: 'sandbox', publicUrl: { mode: 'off' } })
    const environments = createEnvironments({
      baseDir: dir,
      choice,
      keys: createKeyStore({ store: memoryStore(), encryptor: memoryEncryptor(), logger }),
      speed: 0,
      logger,
      createRuntime: (options) =>
        createRuntime({ realTime: () => Date.now(), ...options, seed: 1, logger })
    })
    try {
      expect(environments.status()).toMatchObject({ phase: 'idle', environment: 'sandbox' })
      await environments.start()
      expect(environments.status()).toMatchObject({
        phase: 'running',
        environment: 'emulator',
        stateDir: join(dir, 'emulator')
      })
      expect(choice.read().environment).toBe('emulator')
      expect(logger.lines.join('\n')).toMatch(
        /No sandbox credentials are saved yet.*Starting the emulator instead/
      )
    } finally {
      await environments.stop()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
