// @vitest-environment node
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createDispatch } from '../../src/main/app/dispatch'
import { createHandlers } from '../../src/main/app/handlers'
import type { HostDeps } from '../../src/main/app/ports'
import { PushHub } from '../../src/main/app/push-hub'
import { registerContractIpc } from '../../src/main/electron/ipc'
import { createMainWindow } from '../../src/main/electron/window'
import { OPERATION_NAMES } from '../../src/shared/contract'
import { memoryHostDeps } from '../helpers/host-deps'
import type { MemoryJournal } from '../helpers/memory-journal'
import {
  BrowserWindowMock,
  WebContentsMock,
  WebFrameMainMock,
  invokeEvent,
  ipcMain,
  resetElectronMock
} from '../mocks/electron'

function openWindow(): BrowserWindowMock {
  createMainWindow()
  const window = BrowserWindowMock.instances.at(-1)
  if (!window) throw new Error('createMainWindow did not construct a BrowserWindow')
  return window
}

const until = async (check: () => boolean, ms = 5_000): Promise<void> => {
  const end = performance.now() + ms
  while (!check()) {
    if (performance.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('the contract over Electron IPC', () => {
  let deps: HostDeps
  let journal: MemoryJournal
  let hub: PushHub
  let unregister: () => void

  beforeEach(async () => {
    resetElectronMock()
    delete process.env['ELECTRON_RENDERER_URL']
    ;({ deps, journal } = await memoryHostDeps())
    hub = new PushHub(deps)
    unregister = registerContractIpc(createDispatch(createHandlers(deps)), hub)
  })
  afterEach(() => {
    unregister()
    hub.close()
  })

  it('When registered, Then every operation of the contract has exactly one handler', () => {
    expect(ipcMain.channels().sort()).toEqual([...OPERATION_NAMES].sort())
  })

  it('When the app page asks for app:info, Then the handler answers', async () => {
    const window = openWindow()

    const result = await ipcMain.invoke('app:info', invokeEvent(window.webContents))

    expect(result).toEqual({ ok: true, data: deps.info })
  })

  it('When the args fail the schema, Then ok:false invalid_args comes back and nothing runs', async () => {
    const window = openWindow()
    const write = vi.spyOn(deps.prefs, 'write')

    const result = await ipcMain.invoke('prefs:set', invokeEvent(window.webContents), {
      theme: 'neon'
    })
    const extra = await ipcMain.invoke('app:info', invokeEvent(window.webContents), { x: 1 })
    const two = await ipcMain.invoke('prefs:get', invokeEvent(window.webContents), undefined, 2)

    expect(result).toMatchObject({ ok: false, code: 'invalid_args' })
    expect((result as { message: string }).message).toMatch(/theme/)
    expect(extra).toMatchObject({ ok: false, code: 'invalid_args' })
    expect(two).toMatchObject({ ok: false, code: 'invalid_args' })
    expect(write).not.toHaveBeenCalled()
  })

  it('When the sender frame is on a foreign URL, Then the call is rejected', async () => {
    const window = openWindow()
    window.webContents.mainFrame.url = 'https://evil.example/'

    await expect(ipcMain.invoke('app:info', invokeEvent(window.webContents))).rejects.toThrow(
      /untrusted sender/
    )
  })

  it('When the sender is a subframe or no frame, Then the call is rejected even on the app URL', async () => {
    const window = openWindow()
    const iframe = new WebFrameMainMock(window.webContents.mainFrame.url)

    await expect(
      ipcMain.invoke('app:info', invokeEvent(window.webContents, iframe))
    ).rejects.toThrow(/untrusted sender/)
    await expect(ipcMain.invoke('app:info', invokeEvent(window.webContents, null))).rejects.toThrow(
      /untrusted sender/
    )
  })

  it('When the webContents belongs to no known window, Then the call is rejected', async () => {
    const window = openWindow()
    const stray = new WebContentsMock()
    stray.mainFrame.url = window.webContents.mainFrame.url

    await expect(ipcMain.invoke('app:info', invokeEvent(stray))).rejects.toThrow(/untrusted sender/)
  })

  it('When the page has not said ready, Then nothing is pushed; after ready, entries flow', async () => {
    const window = openWindow()
    journal.append(3)
    await ipcMain.invoke('app:info', invokeEvent(window.webContents))
    await new Promise((r) => setTimeout(r, 100))
    expect(window.webContents.sent).toEqual([])

    const ready = await ipcMain.invoke('session:ready', invokeEvent(window.webContents), {
      afterSeq: 1
    })
    journal.append(2)

    expect(ready).toEqual({ ok: true, data: { lastSeq: 3 } })
    const seqs = (): number[] =>
      window.webContents.sent
        .filter(([channel]) => channel === 'push:journal')
        .flatMap(([, p]) => (p as { entries: { seq: number }[] }).entries.map((e) => e.seq))
    await until(() => seqs().length === 4)
    expect(seqs()).toEqual([2, 3, 4, 5])
    expect(window.webContents.sent.map(([c]) => c)).toEqual(
      expect.arrayContaining(['push:status', 'push:snapshot'])
    )
  })

  it('When the window is destroyed, Then its pushes stop and other windows go on', async () => {
    const first = openWindow()
    const second = openWindow()
    await ipcMain.invoke('session:ready', invokeEvent(first.webContents), {})
    await ipcMain.invoke('session:ready', invokeEvent(second.webContents), {})
    await until(() => journal.subscribers === 2)

    first.webContents.destroy()
    journal.append(1)

    expect(journal.subscribers).toBe(1)
    await until(() => second.webContents.sent.some(([c]) => c === 'push:journal'))
    expect(first.webContents.sent.some(([c]) => c === 'push:journal')).toBe(false)
  })
})
