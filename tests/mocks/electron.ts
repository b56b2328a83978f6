/**
 * A small, behaviour-faithful stand-in for the parts of `electron` the main process uses.
 * Wired in once by tests/setup.ts; tests import it directly to drive and inspect it.
 */
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
  vi.clearAllMocks()
}

export default { app, shell, ipcMain, ipcRenderer, contextBridge, BrowserWindow }
