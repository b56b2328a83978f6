/**
 * The one hardened BrowserWindow, plus the URL rules that both the navigation guards and the
 * IPC sender check rely on. Security baseline: electron docs/tutorial/security.md items 3-4,
 * 13-15 and 17.
 */
import { BrowserWindow, app, shell, type WebContents } from 'electron'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { APP_NAME } from '../shared/app-info'

// --- App origin ---

/** Sites a link in the app may open in the user's browser; everything else is dropped. */
export const EXTERNAL_ORIGINS: readonly string[] = [
  'https://starkbank.com',
  'https://www.starkbank.com',
  'https://docs.api.starkbank.com'
]

const builtIndexHtml = (): string => join(__dirname, '../renderer/index.html')

/**
 * The URL the window loads. The dev-server variable is honoured only in an unpackaged app, so
 * a shipped build cannot be pointed at another page by its environment.
 */
export function rendererEntryUrl(): string {
  const devUrl = process.env['ELECTRON_RENDERER_URL']
  if (!app.isPackaged && devUrl) return devUrl
  return pathToFileURL(builtIndexHtml()).href
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url)
  } catch {
    return null
  }
}

/**
 * True when `url` is the app's own page: the same origin as the dev server, or exactly the
 * built index.html (file:// origins are all "null", so the path is what identifies us).
 */
export function isAppUrl(url: string, entry: string = rendererEntryUrl()): boolean {
  const target = parseUrl(url)
  const home = parseUrl(entry)
  if (!target || !home || target.protocol !== home.protocol) return false
  if (home.protocol !== 'file:') return target.origin === home.origin
  const norm = (u: URL): string => {
    const p = resolve(fileURLToPath(u))
    return process.platform === 'win32' ? p.toLowerCase() : p
  }
  return norm(target) === norm(home)
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
 * an arbitrary URL could launch local handlers (file:, smb:, custom schemes).
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
  // The app needs no camera, notifications, geolocation, etc.
  contents.session.setPermissionRequestHandler((_contents, _permission, callback) =>
    callback(false)
  )
}

// --- Window ---

export function createMainWindow(): BrowserWindow {
  const entry = rendererEntryUrl()
  const window = new BrowserWindow({
    width: 1100,
    height: 760,
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
  window.once('ready-to-show', () => window.show())

  const loading = entry.startsWith('file:')
    ? window.loadFile(builtIndexHtml())
    : window.loadURL(entry)
  loading.catch((error: unknown) => console.error('Failed to load the renderer', error))
  return window
}
