/**
 * The sandbox credentials, kept across restarts: the project id, the public key and its fingerprint
 * in clear (the front ends show them), the private key encrypted by the injected `Encryptor`.
 * Electron-free: the desktop app injects `electron-store` + safeStorage, tests inject `conf` + a fake.
 *
 * Security rules this module keeps:
 * - Nothing derived from the private key except the public key and the fingerprint leaves it,
 *   except through `credentials()`, which only main-process code that connects the SDK may call.
 * - Where the OS offers no real protection (Linux `basic_text`), storing needs the user's explicit
 *   `allowUnprotected`, and the refusal says why.
 * - Log lines and errors name the project and the fingerprint, never key material.
 */
import { z } from 'zod'
import { AppError } from '../../shared/errors'
import { generateKeyPair, validatePrivateKey } from '../stark/keys'
import { protectionOf, type Encryptor, type Protection } from './encryptor'
import type { KeyValueStore } from './kv-store'

/** What a front end may see of the stored credentials. */
export interface CredentialsView {
  /** Null until the user gives it: Stark shows the id only once the public key made a project. */
  projectId: string | null
  fingerprint: string
  /** SPKI PEM, to paste into Stark's web console. */
  publicKeyPem: string
  protection: Protection
}

export interface SaveCredentials {
  /** May come later (setProject): a key generated here makes the project at Stark first. */
  projectId?: string
  /** PEM text (PKCS#8 or SEC1, secp256k1), from a file or a paste. */
  privateKeyPem: string
  /** The user confirmed storing without OS protection (see `Protection.reason`). */
  allowUnprotected?: boolean
}

export interface KeyStoreLogger {
  info(message: string): void
  warn(message: string): void
}

export interface KeyStore {
  /** How a key would be protected here; lets a front end ask before the user types anything. */
  protection(): Promise<Protection>
  view(): Promise<CredentialsView | undefined>
  /** Validates, encrypts and stores (replacing any previous key). */
  save(input: SaveCredentials): Promise<CredentialsView>
  /** Makes a new secp256k1 pair, stores it, and returns the public key to register at Stark. */
  generate(input: Omit<SaveCredentials, 'privateKeyPem'>): Promise<CredentialsView>
  /** Sets (or corrects) the project id of the stored key. */
  setProject(projectId: string): Promise<CredentialsView>
  /**
   * Main process only: the decrypted SEC1 key for `connectStark`. Never send it to a front end.
   * Undefined when nothing is stored; `projectId` is '' while the project id is not given yet.
   */
  credentials(): Promise<{ projectId: string; privateKey: string } | undefined>
  /** Deletes the stored credentials; false when there were none. */
  remove(): Promise<boolean>
}

export const CREDENTIALS_KEY = 'sandboxCredentials'

const storedSchema = z.object({
  version: z.literal(1),
  projectId: z.string(),
  publicKeyPem: z.string(),
  fingerprint: z.string(),
  backend: z.string(),
  /** base64 of the Encryptor's output: JSON stores cannot hold bytes. */
  encryptedPrivateKey: z.string().min(1)
})
type Stored = z.infer<typeof storedSchema>

/** Stark project ids are numeric strings (16 digits today). */
export function checkProjectId(input: unknown): string {
  const id = typeof input === 'string' ? input.trim() : ''
  if (!/^\d{4,32}$/.test(id)) {
    throw new AppError(
      'invalid_args',
      'The project id is the number Stark shows for the project in its web console; it has ' +
        'only digits.'
    )
  }
  return id
}

export function createKeyStore(deps: {
  store: KeyValueStore
  encryptor: Encryptor
  logger?: KeyStoreLogger
}): KeyStore {
  const { store, encryptor } = deps
  const logger = deps.logger ?? { info: () => undefined, warn: () => undefined }

  function read(): Stored | undefined {
    if (!store.has(CREDENTIALS_KEY)) return undefined
    const parsed = storedSchema.safeParse(store.get(CREDENTIALS_KEY))
    if (!parsed.success) {
      throw new AppError(
        'state_damaged',
        'The saved sandbox credentials are damaged (the settings file was edited or cut short). ' +
          'Delete them and load or paste the key again.'
      )
    }
    return parsed.data
  }

  const viewOf = (stored: Stored, protection: Protection): CredentialsView => ({
    projectId: stored.projectId || null,
    fingerprint: stored.fingerprint,
    publicKeyPem: stored.publicKeyPem,
    protection
  })

  async function save(input: SaveCredentials): Promise<CredentialsView> {
    const projectId = input.projectId?.trim() ? checkProjectId(input.projectId) : ''
    const key = validatePrivateKey(input.privateKeyPem)
    const protection = await protectionOf(encryptor)
    if (!protection.available) throw new AppError('unavailable', protection.reason ?? '')
    if (!protection.protected && input.allowUnprotected !== true) {
      throw new AppError('needs_confirmation', protection.reason ?? '')
    }
    let encrypted: Buffer
    try {
      encrypted = await encryptor.encrypt(key.sec1Pem)
    } catch {
      // The encryptor's own error could quote its input: it is replaced, never passed on.
      throw new AppError(
        'unavailable',
        'The system keyring refused to encrypt the key (is it locked?). Unlock it and try again.'
      )
    }
    const stored: Stored = {
      version: 1,
      projectId,
      publicKeyPem: key.publicPem,
      fingerprint: key.fingerprint,
      backend: protection.backend,
      encryptedPrivateKey: encrypted.toString('base64')
    }
    // A damaged previous entry must not block replacing it: it is only read for the log line.
    let replaced: Stored | undefined
    try {
      replaced = read()
    } catch {
      replaced = undefined
    }
    store.set(CREDENTIALS_KEY, stored)
    const how = protection.protected
      ? `protected by ${protection.backend}`
      : `WITHOUT OS protection (${protection.backend}), as the user confirmed`
    const line = `sandbox key ${key.fingerprint} saved for ${projectId ? `project ${projectId}` : 'a project still to be named'}, ${how}`
    if (protection.protected) logger.info(line)
    else logger.warn(line)
    if (replaced && replaced.fingerprint !== key.fingerprint)
      logger.info(`sandbox key ${replaced.fingerprint} replaced`)
    return viewOf(stored, protection)
  }

  return {
    protection: () => protectionOf(encryptor),

    async view() {
      const stored = read()
      return stored && viewOf(stored, await protectionOf(encryptor))
    },

    save,

    generate: (input) => save({ ...input, privateKeyPem: generateKeyPair().privatePem }),

    async setProject(input) {
      const projectId = checkProjectId(input)
      const stored = read()
      if (!stored)
        throw new AppError(
          'no_credentials',
          'No private key is saved yet: load, paste or generate the key first, then give its project id.'
        )
      store.set(CREDENTIALS_KEY, { ...stored, projectId })
      logger.info(`sandbox key ${stored.fingerprint} is now for project ${projectId}`)
      return viewOf({ ...stored, projectId }, await protectionOf(encryptor))
    },

    async credentials() {
      const stored = read()
      if (!stored) return undefined
      const damaged = new AppError(
        'state_damaged',
        `The saved private key (fingerprint ${stored.fingerprint}) cannot be decrypted: the ` +
          'system keyring was reset or the settings came from another computer. Load or paste ' +
          'the key again.'
      )
      const cipherText = Buffer.from(stored.encryptedPrivateKey, 'base64')
      let plainText: string
      let reEncrypt = false
      try {
        if (encryptor.decryptDetailed) {
          ;({ plainText, reEncrypt } = await encryptor.decryptDetailed(cipherText))
        } else {
          plainText = await encryptor.decrypt(cipherText)
        }
      } catch {
        throw damaged
      }
      let key
      try {
        key = validatePrivateKey(plainText)
      } catch {
        throw damaged
      }
      if (key.fingerprint !== stored.fingerprint) throw damaged
      if (reEncrypt) {
        try {
          const again = await encryptor.encrypt(key.sec1Pem)
          store.set(CREDENTIALS_KEY, { ...stored, encryptedPrivateKey: again.toString('base64') })
        } catch {
          logger.warn(`sandbox key ${stored.fingerprint}: re-encryption failed; kept as it was`)
        }
      }
      return { projectId: stored.projectId, privateKey: key.sec1Pem }
    },

    async remove() {
      const stored = store.has(CREDENTIALS_KEY) ? store.get(CREDENTIALS_KEY) : undefined
      if (stored === undefined) return false
      store.delete(CREDENTIALS_KEY)
      const fingerprint = storedSchema.safeParse(stored).data?.fingerprint ?? 'unreadable'
      logger.info(`sandbox key ${fingerprint} deleted`)
      return true
    }
  }
}
