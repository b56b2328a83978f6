/**
 * A small, behaviour-faithful stand-in for the parts of `electron` the main process uses.
 * Wired in once by tests/setup.ts; tests import it directly to drive and inspect it.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { pathToFileURL } from 'node:url'
import type { BrowserWindowConstructorOptions, IpcMainInvokeEvent } from 'electron'
import { vi } from 'vitest'

type InvokeListener = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown
type WindowOpenHandler = (details: { url: string }) => { action: 'allow' | 'deny' }
type PermissionHandler = (
  contents: unknown,
  permission: string,
  callback: (granted: boolean) => void
) => void

export class WebFrameMainMock {
  constructor(public url = '') {}
}

export class WebContentsMock extends EventEmitter {
  readonly mainFrame = new WebFrameMainMock()
  windowOpenHandler: WindowOpenHandler | null = null
  permissionHandler: PermissionHandler | null = null
  readonly setWindowOpenHandler = vi.fn((handler: WindowOpenHandler) => {
    this.windowOpenHandler = handler
  })
  readonly session = {
    setPermissionRequestHandler: vi.fn((handler: PermissionHandler) => {
      this.permissionHandler = handler
    })
  }
}

export class BrowserWindowMock extends EventEmitter {
  static readonly instances: BrowserWindowMock[] = []

  static fromWebContents(contents: unknown): BrowserWindowMock | null {
    return BrowserWindowMock.instances.find((w) => w.webContents === contents) ?? null
  }

  static getAllWindows(): BrowserWindowMock[] {
    return [...BrowserWindowMock.instances]
  }

  readonly webContents = new WebContentsMock()
  readonly loadURL = vi.fn(async (url: string) => {
    this.webContents.mainFrame.url = url
  })
  readonly loadFile = vi.fn(async (path: string) => {
    this.webContents.mainFrame.url = pathToFileURL(path).href
  })
  readonly show = vi.fn()
  readonly focus = vi.fn()
  readonly restore = vi.fn()
  readonly isMinimized = vi.fn(() => false)

  constructor(readonly options: BrowserWindowConstructorOptions = {}) {
    super()
    BrowserWindowMock.instances.push(this)
  }
}

export class IpcMainMock {
  private readonly handlers = new Map<string, InvokeListener>()

  readonly handle = vi.fn((channel: string, listener: InvokeListener) => {
    // Electron throws on a second handler for the same channel; so does the fake.
    if (this.handlers.has(channel)) {
      throw new Error(`Attempted to register a second handler for '${channel}'`)
    }
    this.handlers.set(channel, listener)
  })

  readonly removeHandler = vi.fn((channel: string) => {
    this.handlers.delete(channel)
  })

  /** Calls the registered handler the way Electron does for ipcRenderer.invoke. */
  async invoke(channel: string, event: IpcMainInvokeEvent, ...args: unknown[]): Promise<unknown> {
    const listener = this.handlers.get(channel)
    if (!listener) throw new Error(`No handler registered for '${channel}'`)
    return listener(event, ...args)
  }

  reset(): void {
    this.handlers.clear()
  }
}

export const app = {
  isPackaged: false,
  getVersion: vi.fn(() => '0.0.0-test'),
  getName: vi.fn(() => 'stark-sandbox-simulator'),
  on: vi.fn(),
  quit: vi.fn(),
  exit: vi.fn(),
  whenReady: vi.fn(async () => undefined),
  requestSingleInstanceLock: vi.fn(() => true),
  setAppUserModelId: vi.fn()
}

type StorageBackend = ReturnType<Electron.SafeStorage['getSelectedStorageBackend']>

/**
 * The async safeStorage API, round-tripping for real (AES-256-GCM under a per-process key) so that
 * what lands in a settings file is never the plain text. Tests steer availability, the Linux backend,
 * key rotation (`shouldReEncrypt`) and a keyring that was reset (decryption fails).
 */
export class SafeStorageMock {
  available = true
  backendName: StorageBackend = 'gnome_libsecret'
  /** Marks every decryption as needing re-encryption, as after an OS key rotation. */
  rotate = false
  private key = randomBytes(32)

  readonly isAsyncEncryptionAvailable = vi.fn(async () => this.available)
  readonly getSelectedStorageBackend = vi.fn((): StorageBackend => this.backendName)

  readonly encryptStringAsync = vi.fn(async (plainText: string): Promise<Buffer> => {
    if (!this.available) throw new Error('Encryption is not available.')
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.key, iv)
    const body = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()])
    return Buffer.concat([Buffer.from('v11'), iv, cipher.getAuthTag(), body])
  })

  readonly decryptStringAsync = vi.fn(async (encrypted: Buffer) => {
    if (encrypted.subarray(0, 3).toString() !== 'v11') throw new Error('Invalid ciphertext prefix')
    const iv = encrypted.subarray(3, 15)
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv)
    decipher.setAuthTag(encrypted.subarray(15, 31))
    const result = Buffer.concat([decipher.update(encrypted.subarray(31)), decipher.final()])
    return { result: result.toString('utf8'), shouldReEncrypt: this.rotate }
  })

  /** A new OS key: everything encrypted before no longer decrypts. */
  resetKeyring(): void {
    this.key = randomBytes(32)
  }

  reset(): void {
    this.available = true
    this.backendName = 'gnome_libsecret'
    this.rotate = false
    this.key = randomBytes(32)
  }
}

export const safeStorage = new SafeStorageMock()

export const shell = { openExternal: vi.fn(async (_url: string): Promise<void> => undefined) }
export const ipcMain = new IpcMainMock()
export const ipcRenderer = { invoke: vi.fn(), on: vi.fn(), removeListener: vi.fn() }
export const contextBridge = { exposeInMainWorld: vi.fn() }
export const BrowserWindow = BrowserWindowMock

/** Builds the event Electron passes to an invoke handler for a call from `frame`. */
export function invokeEvent(
  sender: WebContentsMock,
  frame: WebFrameMainMock | null = sender.mainFrame
): IpcMainInvokeEvent {
  return { sender, senderFrame: frame } as unknown as IpcMainInvokeEvent
}

export function resetElectronMock(): void {
  BrowserWindowMock.instances.length = 0
  ipcMain.reset()
  app.isPackaged = false
  safeStorage.reset()
  vi.clearAllMocks()
}

export default { app, shell, ipcMain, ipcRenderer, contextBridge, BrowserWindow, safeStorage }
