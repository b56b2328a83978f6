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
  permissionCheckHandler: ((...args: unknown[]) => boolean) | null = null
  destroyed = false
  /** Everything sent to the page, in order: [channel, payload]. */
  readonly sent: [string, unknown][] = []
  readonly setWindowOpenHandler = vi.fn((handler: WindowOpenHandler) => {
    this.windowOpenHandler = handler
  })
  readonly session = {
    setPermissionRequestHandler: vi.fn((handler: PermissionHandler) => {
      this.permissionHandler = handler
    }),
    setPermissionCheckHandler: vi.fn((handler: (...args: unknown[]) => boolean) => {
      this.permissionCheckHandler = handler
    })
  }
  readonly send = vi.fn((channel: string, payload: unknown) => {
    if (this.destroyed) throw new Error('Object has been destroyed')
    this.sent.push([channel, payload])
  })
  isDestroyed(): boolean {
    return this.destroyed
  }
  destroy(): void {
    this.destroyed = true
    this.emit('destroyed')
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
  readonly maximize = vi.fn()
  readonly isMinimized = vi.fn(() => false)
  readonly isMaximized = vi.fn(() => false)
  readonly getNormalBounds = vi.fn(() => ({
    x: this.options.x ?? 0,
    y: this.options.y ?? 0,
    width: this.options.width ?? 800,
    height: this.options.height ?? 600
  }))

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

  /** ipcMain.on listeners (electron-store registers one); never called by the fake. */
  readonly on = vi.fn()

  /** The channels with a registered handler. */
  channels(): string[] {
    return [...this.handlers.keys()]
  }

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

/** app.on listeners, so tests can emit app events (will-quit, second-instance, ...). */
export const appEvents = new EventEmitter()

/** Folders app.getPath answers; tests point them at temp folders. */
export const appPaths: Record<string, string> = {}

export const app = {
  isPackaged: false,
  getVersion: vi.fn(() => '0.0.0-test'),
  getName: vi.fn(() => 'stark-sandbox-simulator'),
  getPath: vi.fn((name: string) => {
    const path = appPaths[name]
    if (!path) throw new Error(`the electron mock has no path for '${name}'`)
    return path
  }),
  setPath: vi.fn((name: string, path: string) => {
    appPaths[name] = path
  }),
  on: vi.fn((event: string, listener: (...args: unknown[]) => void) => {
    appEvents.on(event, listener)
  }),
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

export const shell = {
  openExternal: vi.fn(async (_url: string): Promise<void> => undefined),
  openPath: vi.fn(async (_path: string): Promise<string> => '')
}
export const ipcMain = new IpcMainMock()
export const ipcRenderer = { invoke: vi.fn(), on: vi.fn(), removeListener: vi.fn() }
export const contextBridge = { exposeInMainWorld: vi.fn() }
export const BrowserWindow = BrowserWindowMock
export const nativeTheme = { themeSource: 'system' as 'system' | 'light' | 'dark' }
export const protocol = { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() }
export const dialog = {
  showOpenDialog: vi.fn(
    async (..._args: unknown[]): Promise<{ canceled: boolean; filePaths: string[] }> => ({
      canceled: true,
      filePaths: []
    })
  ),
  showSaveDialog: vi.fn(
    async (..._args: unknown[]): Promise<{ canceled: boolean; filePath?: string }> => ({
      canceled: true
    })
  )
}
export const screen = {
  getAllDisplays: vi.fn(() => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }])
}
export const Menu = {
  buildFromTemplate: vi.fn((template: unknown) => ({ template })),
  setApplicationMenu: vi.fn()
}

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
  appEvents.removeAllListeners()
  nativeTheme.themeSource = 'system'
  vi.clearAllMocks()
}

export default {
  app,
  shell,
  ipcMain,
  ipcRenderer,
  contextBridge,
  BrowserWindow,
  safeStorage,
  nativeTheme,
  protocol,
  dialog,
  screen,
  Menu
}
