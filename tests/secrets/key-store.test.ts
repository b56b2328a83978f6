/**
 * The key store on a real `conf` file (the format electron-store writes) with the desktop app's own
 * Encryptor, the safeStorage adapter, over the electron mock's round-tripping safeStorage.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Conf from 'conf'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isAppError } from '../../src/shared/errors'
import { safeStorageEncryptor } from '../../src/main/electron/safe-storage'
import { createKeyStore, type KeyStore } from '../../src/main/secrets/key-store'
import type { KeyValueStore } from '../../src/main/secrets/kv-store'
import { generateKeyPair, validatePrivateKey } from '../../src/main/stark/keys'
import { safeStorage, resetElectronMock } from '../mocks/electron'
import { acceptedSamples, findLeak, recordingLogger, refusedSamples } from '../helpers/key-material'

const PROJECT = '5656565656565656'

async function failure(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise
  } catch (error) {
    return error as Error & { code?: string }
  }
  throw new Error('expected a failure')
}

describe('sandbox key store', () => {
  let dir: string
  let logger: ReturnType<typeof recordingLogger>
  /** Everything the store let out that a front end or a log could see. */
  let outside: string[]
  const open = (): { keys: KeyStore; file: string } => {
    const conf = new Conf<Record<string, unknown>>({
      cwd: dir,
      configName: 'secrets',
      configFileMode: 0o600
    })
    const store: KeyValueStore = conf
    return {
      keys: createKeyStore({
        store,
        encryptor: safeStorageEncryptor(safeStorage, 'linux'),
        logger
      }),
      file: conf.path
    }
  }
  const seen = async <T>(promise: Promise<T>): Promise<T> => {
    const value = await promise
    outside.push(JSON.stringify(value) ?? 'undefined')
    return value
  }

  beforeEach(async () => {
    resetElectronMock()
    dir = await mkdtemp(join(tmpdir(), 'ssim-secrets-'))
    logger = recordingLogger()
    outside = []
  })
  afterEach(async () => {
    // No test may let key material out, through any channel.
    outside.push(...logger.lines)
    await rm(dir, { recursive: true, force: true })
  })

  it('When a key is pasted and the app restarts, Then it comes back decrypted, and the file holds no key material', async () => {
    const pair = generateKeyPair()
    const { keys, file } = open()
    expect(await seen(keys.view())).toBeUndefined()
    const view = await seen(
      keys.save({ projectId: ` ${PROJECT} `, privateKeyPem: pair.privatePem })
    )
    expect(view).toEqual({
      projectId: PROJECT,
      fingerprint: validatePrivateKey(pair.privatePem).fingerprint,
      publicKeyPem: pair.publicPem,
      protection: { backend: 'gnome_libsecret', available: true, protected: true }
    })

    const reopened = open().keys
    expect(await seen(reopened.view())).toEqual(view)
    expect(await reopened.credentials()).toEqual({
      projectId: PROJECT,
      privateKey: pair.privatePem
    })
    const onDisk = await readFile(file, 'utf8')
    expect(findLeak(onDisk, pair.privatePem)).toBeUndefined()
    expect(onDisk).toContain(pair.publicPem.split('\n')[1])
    expect(logger.lines.join('\n')).toContain(
      `saved for project ${PROJECT}, protected by gnome_libsecret`
    )
    for (const text of outside) expect(findLeak(text, pair.privatePem)).toBeUndefined()
  })

  it('When a PKCS#8 key is stored, Then the SDK gets SEC1 back after a restart', async () => {
    const sample = acceptedSamples()[1]!
    await open().keys.save({ projectId: PROJECT, privateKeyPem: sample.text })
    const back = await open().keys.credentials()
    expect(back?.privateKey).toMatch(/^-----BEGIN EC PRIVATE KEY-----/)
    expect(validatePrivateKey(back!.privateKey).fingerprint).toBe(
      validatePrivateKey(sample.text).fingerprint
    )
  })

  it('When a key is generated, Then only its public half is returned and the stored key matches it', async () => {
    const { keys } = open()
    const view = await seen(keys.generate({ projectId: PROJECT }))
    expect(view.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/)
    const creds = await keys.credentials()
    expect(validatePrivateKey(creds!.privateKey).publicPem).toBe(view.publicKeyPem)
    for (const text of outside) expect(findLeak(text, creds!.privateKey)).toBeUndefined()
  })

  it('When a key is replaced and then deleted, Then the new one is used and nothing is left', async () => {
    const first = generateKeyPair()
    const second = generateKeyPair()
    const { keys, file } = open()
    await keys.save({ projectId: PROJECT, privateKeyPem: first.privatePem })
    const replaced = await seen(
      keys.save({ projectId: '1234567890', privateKeyPem: second.privatePem })
    )
    expect(replaced.projectId).toBe('1234567890')
    expect((await open().keys.credentials())?.privateKey).toBe(second.privatePem)
    expect(await keys.remove()).toBe(true)
    expect(await keys.remove()).toBe(false)
    expect(await open().keys.view()).toBeUndefined()
    expect(await open().keys.credentials()).toBeUndefined()
    expect(await readFile(file, 'utf8')).not.toContain('sandboxCredentials')
    expect(logger.lines.some((l) => /deleted/.test(l))).toBe(true)
    for (const text of outside) {
      expect(findLeak(text, first.privatePem)).toBeUndefined()
      expect(findLeak(text, second.privatePem)).toBeUndefined()
    }
  })

  it('When the backend is basic_text, Then storing needs an explicit confirmation that says why', async () => {
    safeStorage.backendName = 'basic_text'
    const pair = generateKeyPair()
    const { keys } = open()
    const protection = await seen(keys.protection())
    expect(protection).toMatchObject({ backend: 'basic_text', protected: false })
    expect(protection.reason).toMatch(/password built into the app/)

    const refused = await failure(keys.save({ projectId: PROJECT, privateKeyPem: pair.privatePem }))
    outside.push(refused.message)
    expect(isAppError(refused) && refused.code).toBe('needs_confirmation')
    expect(refused.message).toBe(protection.reason)
    expect(await keys.view()).toBeUndefined()

    const view = await seen(
      keys.save({ projectId: PROJECT, privateKeyPem: pair.privatePem, allowUnprotected: true })
    )
    expect(view.protection.protected).toBe(false)
    expect((await open().keys.credentials())?.privateKey).toBe(pair.privatePem)
    expect(logger.lines.some((l) => l.startsWith('warn') && /WITHOUT OS protection/.test(l))).toBe(
      true
    )
  })

  it('When encryption is unavailable, Then nothing is stored and the user is told what to use instead', async () => {
    safeStorage.available = false
    const { keys } = open()
    const error = await failure(keys.generate({ projectId: PROJECT, allowUnprotected: true }))
    expect(error.code).toBe('unavailable')
    expect(error.message).toMatch(/--private-key/)
    expect(await keys.view()).toBeUndefined()
  })

  it('When any refused kind of key or a bad project id is given, Then nothing is stored and nothing leaks', async () => {
    const { keys } = open()
    for (const sample of refusedSamples()) {
      const error = await failure(keys.save({ projectId: PROJECT, privateKeyPem: sample.text }))
      expect(error.code, sample.kind).toBe('refused')
      outside.push(error.message, String(error.stack))
      if (sample.privateKey) {
        expect(findLeak(error.message, sample.privateKey)).toBeUndefined()
        expect(findLeak(String(error.stack), sample.privateKey)).toBeUndefined()
      }
    }
    const bad = await failure(
      keys.save({ projectId: 'project/12', privateKeyPem: generateKeyPair().privatePem })
    )
    expect(bad.code).toBe('invalid_args')
    expect(await keys.view()).toBeUndefined()
  })

  it('When the stored entry is damaged, Then reading says so and a new key still replaces it', async () => {
    const { keys, file } = open()
    await keys.save({ projectId: PROJECT, privateKeyPem: generateKeyPair().privatePem })
    const conf = new Conf<Record<string, unknown>>({ cwd: dir, configName: 'secrets' })
    conf.set('sandboxCredentials', { version: 1, projectId: PROJECT })
    const damaged = await failure(open().keys.view())
    expect(damaged.code).toBe('state_damaged')
    expect(damaged.message).toMatch(/damaged .* load or paste the key again/)
    const pair = generateKeyPair()
    await open().keys.save({ projectId: PROJECT, privateKeyPem: pair.privatePem })
    expect((await open().keys.credentials())?.privateKey).toBe(pair.privatePem)
    expect(findLeak(await readFile(file, 'utf8'), pair.privatePem)).toBeUndefined()
  })

  it('When the OS keyring was reset, Then loading says so in words and quotes nothing', async () => {
    const pair = generateKeyPair()
    await open().keys.save({ projectId: PROJECT, privateKeyPem: pair.privatePem })
    safeStorage.resetKeyring()
    const error = await failure(open().keys.credentials())
    expect(error.code).toBe('state_damaged')
    expect(error.message).toMatch(/cannot be decrypted.*Load or paste the key again/)
    expect(findLeak(error.message, pair.privatePem)).toBeUndefined()
    // What the front end shows still works: only the private half is unreadable.
    expect((await open().keys.view())?.fingerprint).toBe(
      validatePrivateKey(pair.privatePem).fingerprint
    )
  })

  it('When safeStorage asks for re-encryption, Then the entry is rewritten and still decrypts', async () => {
    const pair = generateKeyPair()
    const { keys, file } = open()
    await keys.save({ projectId: PROJECT, privateKeyPem: pair.privatePem })
    const before = await readFile(file, 'utf8')
    safeStorage.rotate = true
    expect((await keys.credentials())?.privateKey).toBe(pair.privatePem)
    expect(await readFile(file, 'utf8')).not.toBe(before)
    safeStorage.rotate = false
    expect((await open().keys.credentials())?.privateKey).toBe(pair.privatePem)
  })
})
