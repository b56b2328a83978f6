// @vitest-environment node
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { handle, registerAppIpc } from '../../src/main/ipc'
import { createMainWindow } from '../../src/main/window'
import { APP_NAME } from '../../src/shared/app-info'
import { ok, type InvokeChannel } from '../../src/shared/ipc-contract'
import {
  BrowserWindowMock,
  WebContentsMock,
  WebFrameMainMock,
  invokeEvent,
  ipcMain,
  resetElectronMock
} from '../mocks/electron'

// A real channel from the contract, registered here with a test schema and handler.
const CHANNEL: InvokeChannel = 'app:info'

function openWindow(): BrowserWindowMock {
  createMainWindow()
  const window = BrowserWindowMock.instances.at(-1)
  if (!window) throw new Error('createMainWindow did not construct a BrowserWindow')
  return window
}

function registerDoubler(): ReturnType<typeof vi.fn> {
  const fn = vi.fn(({ n }: { n: number }) => ok(n * 2))
  handle(CHANNEL, z.object({ n: z.number() }), fn)
  return fn
}

describe('ipc handle()', () => {
  beforeEach(() => {
    resetElectronMock()
    delete process.env['ELECTRON_RENDERER_URL']
  })

  it('When the app page sends valid args, Then the handler runs and its result is returned', async () => {
    const fn = registerDoubler()
    const window = openWindow()

    const result = await ipcMain.invoke(CHANNEL, invokeEvent(window.webContents), { n: 21 })

    expect(result).toEqual({ ok: true, data: 42 })
    expect(fn).toHaveBeenCalledWith({ n: 21 })
  })

  it('When the args fail the schema, Then ok:false comes back and the handler never runs', async () => {
    const fn = registerDoubler()
    const window = openWindow()

    const result = await ipcMain.invoke(CHANNEL, invokeEvent(window.webContents), { n: 'x' })

    expect(result).toMatchObject({ ok: false, code: 'invalid_args' })
    expect((result as { message: string }).message).toMatch(/n/)
    expect(fn).not.toHaveBeenCalled()
  })

  it('When more than one argument is sent, Then it is refused as invalid', async () => {
    const fn = registerDoubler()
    const window = openWindow()

    const result = await ipcMain.invoke(CHANNEL, invokeEvent(window.webContents), { n: 1 }, 2)

    expect(result).toMatchObject({ ok: false, code: 'invalid_args' })
    expect(fn).not.toHaveBeenCalled()
  })

  it('When the sender frame is on a foreign URL, Then the call is rejected', async () => {
    const fn = registerDoubler()
    const window = openWindow()
    window.webContents.mainFrame.url = 'https://evil.example/'

    await expect(
      ipcMain.invoke(CHANNEL, invokeEvent(window.webContents), { n: 1 })
    ).rejects.toThrow(/untrusted sender/)
    expect(fn).not.toHaveBeenCalled()
  })

  it('When the sender is a subframe, Then the call is rejected even on the app URL', async () => {
    const fn = registerDoubler()
    const window = openWindow()
    const iframe = new WebFrameMainMock(window.webContents.mainFrame.url)

    await expect(
      ipcMain.invoke(CHANNEL, invokeEvent(window.webContents, iframe), { n: 1 })
    ).rejects.toThrow(/untrusted sender/)
    await expect(
      ipcMain.invoke(CHANNEL, invokeEvent(window.webContents, null), { n: 1 })
    ).rejects.toThrow(/untrusted sender/)
    expect(fn).not.toHaveBeenCalled()
  })

  it('When the webContents belongs to no known window, Then the call is rejected', async () => {
    const fn = registerDoubler()
    const window = openWindow()
    const stray = new WebContentsMock()
    stray.mainFrame.url = window.webContents.mainFrame.url

    await expect(ipcMain.invoke(CHANNEL, invokeEvent(stray), { n: 1 })).rejects.toThrow(
      /untrusted sender/
    )
    expect(fn).not.toHaveBeenCalled()
  })

  it('When a channel is not in the contract, Then registering it throws', () => {
    expect(() => handle('shell:exec' as InvokeChannel, z.undefined(), () => ok(null))).toThrow(
      /Unknown IPC channel/
    )
  })
})

describe('app:info', () => {
  beforeEach(() => resetElectronMock())

  it('When asked with no argument, Then it returns the app name and version', async () => {
    registerAppIpc()
    const window = openWindow()

    const result = await ipcMain.invoke('app:info', invokeEvent(window.webContents))

    expect(result).toEqual({ ok: true, data: { name: APP_NAME, version: '0.0.0-test' } })
  })

  it('When given an unexpected argument, Then it answers invalid_args', async () => {
    registerAppIpc()
    const window = openWindow()

    const result = await ipcMain.invoke('app:info', invokeEvent(window.webContents), { x: 1 })

    expect(result).toMatchObject({ ok: false, code: 'invalid_args' })
  })
})
