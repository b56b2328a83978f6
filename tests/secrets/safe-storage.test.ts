import { beforeEach, describe, expect, it } from 'vitest'
import { safeStorageEncryptor } from '../../src/main/electron/safe-storage'
import { protectionOf } from '../../src/main/secrets/encryptor'
import { resetElectronMock, safeStorage } from '../mocks/electron'

describe('safeStorage adapter', () => {
  beforeEach(() => resetElectronMock())

  it('When used without arguments, Then it drives Electron’s async API, never the deprecated sync one', async () => {
    const encryptor = safeStorageEncryptor()
    const sealed = await encryptor.encrypt('secret text')
    expect(sealed.toString('utf8')).not.toContain('secret text')
    expect(await encryptor.decrypt(sealed)).toBe('secret text')
    expect(safeStorage.encryptStringAsync).toHaveBeenCalledTimes(1)
    expect(safeStorage.decryptStringAsync).toHaveBeenCalledTimes(1)
    expect('encryptString' in safeStorage).toBe(false)
  })

  it('When on Linux, Then the backend is the one Electron selected, read after initialisation', async () => {
    safeStorage.backendName = 'kwallet6'
    const encryptor = safeStorageEncryptor(safeStorage, 'linux')
    expect(await encryptor.backend()).toBe('kwallet6')
    expect(safeStorage.isAsyncEncryptionAvailable).toHaveBeenCalled()
    safeStorage.backendName = 'basic_text'
    expect(await protectionOf(encryptor)).toMatchObject({ protected: false, backend: 'basic_text' })
  })

  it('When on macOS or Windows, Then the OS store is named and counts as protected', async () => {
    safeStorage.backendName = 'basic_text' // meaningless off Linux; must be ignored
    expect(await protectionOf(safeStorageEncryptor(safeStorage, 'darwin'))).toEqual({
      backend: 'keychain',
      available: true,
      protected: true
    })
    expect((await protectionOf(safeStorageEncryptor(safeStorage, 'win32'))).backend).toBe('dpapi')
  })

  it('When the OS rotated its key, Then the detailed decrypt asks for re-encryption', async () => {
    const encryptor = safeStorageEncryptor(safeStorage, 'linux')
    const sealed = await encryptor.encrypt('x')
    safeStorage.rotate = true
    expect(await encryptor.decryptDetailed?.(sealed)).toEqual({ plainText: 'x', reEncrypt: true })
  })

  it('When encryption is unavailable, Then the adapter says so', async () => {
    safeStorage.available = false
    const protection = await protectionOf(safeStorageEncryptor(safeStorage, 'linux'))
    expect(protection).toMatchObject({ available: false, protected: false })
  })
})
