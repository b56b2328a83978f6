// @vitest-environment node
import { beforeEach, describe, expect, it, vi } from 'vitest'
import {
  createMainWindow,
  isAllowedExternalUrl,
  isAppUrl,
  rendererEntryUrl
} from '../../src/main/electron/window'
import { BrowserWindowMock, app, resetElectronMock, shell } from '../mocks/electron'

function openWindow(): BrowserWindowMock {
  createMainWindow()
  const window = BrowserWindowMock.instances.at(-1)
  if (!window) throw new Error('createMainWindow did not construct a BrowserWindow')
  return window
}

function navigate(window: BrowserWindowMock, url: string): { preventDefault: () => void } {
  const event = { url, preventDefault: vi.fn() }
  window.webContents.emit('will-navigate', event, url)
  return event
}

describe('main window', () => {
  beforeEach(() => {
    resetElectronMock()
    delete process.env['ELECTRON_RENDERER_URL']
  })

  it('When the window is created, Then the renderer is isolated, sandboxed and Node-free', () => {
    const window = openWindow()

    expect(window.options.webPreferences).toMatchObject({
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true
    })
    expect(window.options.webPreferences?.preload).toMatch(/preload[\\/]index\.js$/)
  })

  it('When the page asks for a new window, Then it is always denied', () => {
    const handler = openWindow().webContents.windowOpenHandler
    if (!handler) throw new Error('no window-open handler was installed')

    expect(handler({ url: 'https://evil.example/' })).toEqual({ action: 'deny' })
    expect(handler({ url: 'https://docs.api.starkbank.com/en/' })).toEqual({ action: 'deny' })
    expect(shell.openExternal).toHaveBeenCalledTimes(1)
    expect(shell.openExternal).toHaveBeenCalledWith('https://docs.api.starkbank.com/en/')
  })

  it('When a link is not allow-listed https, Then it never reaches the system browser', () => {
    expect(isAllowedExternalUrl('https://starkbank.com/pricing')).toBe(true)
    expect(isAllowedExternalUrl('http://starkbank.com/')).toBe(false)
    expect(isAllowedExternalUrl('https://starkbank.com.evil.example/')).toBe(false)
    expect(isAllowedExternalUrl('file:///etc/passwd')).toBe(false)
    expect(isAllowedExternalUrl('not a url')).toBe(false)
  })

  it('When the page navigates to a foreign URL, Then the navigation is prevented', () => {
    const window = openWindow()

    const foreign = navigate(window, 'https://evil.example/phish')
    const home = navigate(window, `${rendererEntryUrl()}#/payments`)

    expect(foreign.preventDefault).toHaveBeenCalled()
    expect(home.preventDefault).not.toHaveBeenCalled()
    expect(shell.openExternal).not.toHaveBeenCalled()
  })

  it('When another scheme, host or file is the target, Then it is not treated as the app', () => {
    const entry = 'app://renderer/index.html'

    expect(isAppUrl('app://renderer/index.html?x=1#/log', entry)).toBe(true)
    expect(isAppUrl('app://renderer/assets/x.js', entry)).toBe(true)
    expect(isAppUrl('app://evil/index.html', entry)).toBe(false)
    expect(isAppUrl('file:///opt/app/out/renderer/index.html', entry)).toBe(false)
    expect(isAppUrl('http://localhost:5173/', entry)).toBe(false)
    expect(isAppUrl('http://localhost:5173/x', 'http://localhost:5173')).toBe(true)
    expect(isAppUrl('http://localhost:5174/', 'http://localhost:5173')).toBe(false)
  })

  it('When unpackaged with a dev server, Then the window loads the dev server URL', () => {
    process.env['ELECTRON_RENDERER_URL'] = 'http://localhost:5173'

    const window = openWindow()

    expect(window.loadURL).toHaveBeenCalledWith('http://localhost:5173')
  })

  it('When packaged, Then ELECTRON_RENDERER_URL is ignored and the page loads from app://', () => {
    process.env['ELECTRON_RENDERER_URL'] = 'http://evil.example'
    app.isPackaged = true

    const window = openWindow()

    expect(window.loadURL).toHaveBeenCalledWith('app://renderer/index.html')
    expect(window.loadFile).not.toHaveBeenCalled()
  })

  it('When the page requests a permission, Then it is refused', () => {
    const handler = openWindow().webContents.permissionHandler
    if (!handler) throw new Error('no permission handler was installed')
    const callback = vi.fn()

    handler({}, 'media', callback)

    expect(callback).toHaveBeenCalledWith(false)
  })

  it('When a permission is only checked, Then the check says no as the request handler does', () => {
    const check = openWindow().webContents.permissionCheckHandler
    if (!check) throw new Error('no permission check handler was installed')

    expect(check({}, 'notifications', 'app://renderer', {})).toBe(false)
    expect(check({}, 'clipboard-sanitized-write', 'app://renderer', {})).toBe(false)
  })
})
