/**
 * The seam between the Electron-free key store and whatever encrypts secrets. In the desktop app it
 * is Electron's asynchronous `safeStorage` (src/main/electron/safe-storage.ts); tests inject a fake.
 * Keeping it an interface lets the store's rules (what is stored in clear, when the user must
 * confirm) be tested in plain Node.
 */
export interface Encryptor {
  /**
   * Which OS secret store protects the data: on Linux Electron's own names (`basic_text`,
   * `gnome_libsecret`, `kwallet`, `kwallet5`, `kwallet6`, `unknown`), elsewhere `keychain` (macOS) or
   * `dpapi` (Windows).
   */
  backend(): Promise<string>
  isAvailable(): Promise<boolean>
  encrypt(plainText: string): Promise<Buffer>
  decrypt(cipherText: Buffer): Promise<string>
  /**
   * Optional: like `decrypt`, and says whether the data should be encrypted again (the OS rotated
   * its key). The key store rewrites the entry when asked.
   */
  decryptDetailed?(cipherText: Buffer): Promise<{ plainText: string; reEncrypt: boolean }>
}

export interface Protection {
  backend: string
  /** Encryption can be used at all. */
  available: boolean
  /** The secret is protected by an OS secret store, not by a password built into the app. */
  protected: boolean
  /** Why it is not protected, in the user's words; absent when it is. */
  reason?: string
}

/**
 * Backends that encrypt with a password compiled into Electron: anyone who can read the file can
 * decrypt it. `unknown` is counted with them: protection that cannot be named is not promised.
 */
const UNPROTECTED: Record<string, string> = {
  basic_text:
    'No system keyring was found (Electron falls back to "basic_text"): the private key would be ' +
    'encrypted with a password built into the app, so anyone who can read your files could ' +
    'decrypt it. Install and unlock a keyring (GNOME Keyring or KWallet) to protect it, or ' +
    'confirm to store it anyway.',
  unknown:
    'The system did not say which keyring protects secrets, so the private key may be stored ' +
    'without real protection. Confirm to store it anyway, or start the app in a desktop session ' +
    'with a keyring.'
}

export async function protectionOf(encryptor: Encryptor): Promise<Protection> {
  const available = await encryptor.isAvailable()
  if (!available) {
    return {
      backend: 'none',
      available: false,
      protected: false,
      reason:
        'This system offers no encryption for secrets, so the private key cannot be saved. Use ' +
        'the key file directly (npm run -s headless -- --sandbox --project-id ID --private-key privateKey.pem) instead.'
    }
  }
  const backend = await encryptor.backend()
  const reason = UNPROTECTED[backend]
  return reason
    ? { backend, available, protected: false, reason }
    : { backend, available, protected: true }
}
