/**
 * The browser dashboard's `Encryptor`: the headless engine has no OS keyring (that is Electron's
 * safeStorage), so sandbox credentials given in the dashboard are kept in this process's memory
 * only, encrypted under a key made at start, and forgotten when the engine stops. The key store
 * names the backend `memory`, and the page says so.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import type { Encryptor } from './encryptor'

export const MEMORY_BACKEND = 'memory'

export function memoryEncryptor(): Encryptor {
  const key = randomBytes(32)
  return {
    backend: async () => MEMORY_BACKEND,
    isAvailable: async () => true,
    async encrypt(plainText) {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      const body = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()])
      return Buffer.concat([iv, cipher.getAuthTag(), body])
    },
    async decrypt(cipherText) {
      const decipher = createDecipheriv('aes-256-gcm', key, cipherText.subarray(0, 12))
      decipher.setAuthTag(cipherText.subarray(12, 28))
      return Buffer.concat([decipher.update(cipherText.subarray(28)), decipher.final()]).toString(
        'utf8'
      )
    }
  }
}
