/**
 * The `Encryptor` of the desktop app: Electron's asynchronous safeStorage API (the synchronous one is
 * deprecated in Electron 45 and removed in 46; data it wrote still decrypts with the async one).
 * Only glue: the rules about what is stored and when to ask live in src/main/secrets/key-store.ts.
 */
import { safeStorage } from 'electron'
import type { Encryptor } from '../secrets/encryptor'

type SafeStorage = Pick<
  typeof safeStorage,
  | 'isAsyncEncryptionAvailable'
  | 'encryptStringAsync'
  | 'decryptStringAsync'
  | 'getSelectedStorageBackend'
>

/**
 * `getSelectedStorageBackend` only means something on Linux; macOS always uses the Keychain and
 * Windows DPAPI (which does not shield from other apps of the same user, but is the OS's own store).
 */
export function safeStorageEncryptor(
  storage: SafeStorage = safeStorage,
  platform: NodeJS.Platform = process.platform
): Encryptor {
  return {
    async backend() {
      if (platform === 'darwin') return 'keychain'
      if (platform === 'win32') return 'dpapi'
      // The async encryptor is initialised lazily; the backend is known only after that.
      await storage.isAsyncEncryptionAvailable()
      return storage.getSelectedStorageBackend()
    },
    isAvailable: () => storage.isAsyncEncryptionAvailable(),
    encrypt: (plainText) => storage.encryptStringAsync(plainText),
    async decrypt(cipherText) {
      return (await storage.decryptStringAsync(cipherText)).result
    },
    async decryptDetailed(cipherText) {
      const { result, shouldReEncrypt } = await storage.decryptStringAsync(cipherText)
      return { plainText: result, reEncrypt: shouldReEncrypt }
    }
  }
}
