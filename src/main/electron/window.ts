/**
 * The one hardened BrowserWindow, plus the URL rules that both the navigation guards and the IPC
 * sender check rely on. Security baseline: electron docs/tutorial/security.md items 3-4, 13-15, 17
 * and 18 (a custom protocol instead of file://).
 */
import { BrowserWindow, app, screen, shell, type WebContents } from 'electron'
import { join } from 'node:path'
import { APP_NAME } from '../../shared/app-info'
import type { PrefsStore, WindowBounds } from '../app/ports'
import { APP_ENTRY_URL, APP_HOST, APP_SCHEME } from './protocol'

// --- App origin ---

/** Sites a link in the app may open in the user's browser; everything else is dropped. */
export const EXTERNAL_ORIGINS: readonly string[] = [
  'https://starkbank.com',
  'https://www.starkbank.com',
  'https://docs.api.starkbank.com'
]

/**
 * The URL the window loads. The dev-server variable is honoured only in an unpackaged app, so
 * a shipped build cannot be pointed at another page by its environment.
 */
export function rendererEntryUrl(): string {
  const devUrl = process.env['ELECTRON_RENDERER_URL']
  if (!app.isPackaged && devUrl) return devUrl
  return APP_ENTRY_URL
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url)
  } catch {
    return null
  }
}

/**
 * True when `url` is the app's own page: on app://renderer/, or on the dev server's origin. (Node
 * gives custom schemes an opaque "null" origin, so scheme and host are compared instead.)
 */
export function isAppUrl(url: string, entry: string = rendererEntryUrl()): boolean {
  const target = parseUrl(url)
  const home = parseUrl(entry)
  if (!target || !home || target.protocol !== home.protocol) return false
  if (home.protocol === `${APP_SCHEME}:`) return target.host === APP_HOST
  return target.origin === home.origin
}

export function isAllowedExternalUrl(url: string): boolean {
  const target = parseUrl(url)
  return target?.protocol === 'https:' && EXTERNAL_ORIGINS.includes(target.origin)
}

function openIfAllowed(url: string): void {
  if (isAllowedExternalUrl(url)) void shell.openExternal(url)
}

// --- Guards ---

/**
 * Keeps the renderer on the app's page: navigations elsewhere are cancelled, new windows are
 * always denied, and only allow-listed https links reach the system browser. openExternal with
 * an arbitrary URL could launch local handlers (file:, smb:, custom schemes). The app needs no
 * camera, notifications, geolocation, etc.: permission requests and checks are both refused (a
 * check handler alone would still let a request prompt; a request handler alone would still let
 * `navigator.permissions.query` and some APIs report "granted").
 */
export function guardWebContents(contents: WebContents, entry: string): void {
  contents.on('will-navigate', (event) => {
    if (isAppUrl(event.url, entry)) return
    event.preventDefault()
    openIfAllowed(event.url)
  })
  contents.setWindowOpenHandler(({ url }) => {
    openIfAllowed(url)
    return { action: 'deny' }
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.session.setPermissionRequestHandler((_contents, _permission, callback) =>
    callback(false)
  )
  contents.session.setPermissionCheckHandler(() => false)
}

// --- Bounds ---

const DEFAULT_BOUNDS: WindowBounds = { width: 1280, height: 800 }

/** Saved bounds, if they are still on a connected display (a monitor may have been unplugged). */
export function restoredBounds(saved: WindowBounds | undefined): WindowBounds {
  if (!saved) return DEFAULT_BOUNDS
  const { x, y } = saved
  if (x === undefined || y === undefined) return { width: saved.width, height: saved.height }
  const visible = screen.getAllDisplays().some(({ workArea: a }) => {
    return (
      x < a.x + a.width - 100 &&
      x + saved.width > a.x + 100 &&
      y >= a.y - 10 &&
      y < a.y + a.height - 50
    )
  })
  return visible ? saved : { width: saved.width, height: saved.height }
}

// --- Window ---

export function createMainWindow(prefs?: PrefsStore): BrowserWindow {
  const entry = rendererEntryUrl()
  const bounds = restoredBounds(prefs?.read().windowBounds)
  const window = new BrowserWindow({
    ...bounds,
    minWidth: 960,
    minHeight: 640,
    show: false,
    title: APP_NAME,
    autoHideMenuBar: true,
    webPreferences: {
      preload: join(__dirname, '../preload/index.js'),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true
    }
  })
  guardWebContents(window.webContents, entry)
  window.once('ready-to-show', () => {
    if (bounds.maximized) window.maximize()
    window.show()
  })
  window.on('close', () => {
    const normal = window.getNormalBounds()
    prefs?.write({ windowBounds: { ...normal, maximized: window.isMaximized() } })
  })
  window
    .loadURL(entry)
    .catch((error: unknown) => console.error('Failed to load the renderer', error))
  return window
}
