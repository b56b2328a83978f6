// @vitest-environment node
/**
 * The desktop app's composition root (src/main/index.ts) on the electron mock, with everything
 * under it real: the runtime starts the embedded emulator in userData, the window's page reaches
 * the handlers over IPC and hears pushes, and quitting stops the engine before the app quits.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Result, RuntimeStatus } from '../../src/shared/contract'
import {
  BrowserWindowMock,
  app,
  appEvents,
  invokeEvent,
  ipcMain,
  protocol,
  resetElectronMock
} from '../mocks/electron'

const until = async (check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> => {
  const end = performance.now() + ms
  while (!(await check())) {
    if (performance.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('desktop app', () => {
  let userData: string
  let window: BrowserWindowMock
  const call = (channel: string, args?: unknown): Promise<Result<unknown>> =>
    ipcMain.invoke(
      channel,
      invokeEvent(window.webContents),
      ...(args === undefined ? [] : [args])
    ) as Promise<Result<unknown>>

  beforeAll(async () => {
    resetElectronMock()
    userData = await mkdtemp(join(tmpdir(), 'ssim-desktop-'))
    process.env['SSIM_USER_DATA'] = userData
    await import('../../src/main/index')
    await until(() => BrowserWindowMock.instances.length === 1)
    window = BrowserWindowMock.instances[0] as BrowserWindowMock
  })
  afterAll(async () => {
    delete process.env['SSIM_USER_DATA']
    await rm(userData, { recursive: true, force: true })
  })

  it('When launched, Then the page is served from app:// and the engine runs in userData', async () => {
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalled()
    expect(protocol.handle).toHaveBeenCalledWith('app', expect.any(Function))
    expect(window.loadURL).toHaveBeenCalledWith('app://renderer/index.html')
    expect(await call('app:info')).toEqual({
      ok: true,
      data: { name: 'Stark Sandbox Simulator', version: '0.0.0-test', host: 'desktop' }
    })

    await until(async () => {
      const status = await call('runtime:status')
      return status.ok && (status.data as RuntimeStatus).phase === 'running'
    })
    const status = (await call('runtime:status')) as Result<RuntimeStatus>
    expect(status.ok && status.data.stateDir).toBe(join(userData, 'state', 'emulator'))
  })

  it('When the page says ready and a run starts, Then its entries are pushed to the window', async () => {
    expect(await call('session:ready', { afterSeq: 0 })).toMatchObject({ ok: true })
    expect(
      await call('run:start', { plan: { batches: 1, minInvoices: 1, maxInvoices: 1 } })
    ).toMatchObject({
      ok: true
    })

    await until(() =>
      window.webContents.sent.some(
        ([channel, payload]) =>
          channel === 'push:journal' &&
          (payload as { entries: { type: string }[] }).entries.some(
            (e) => e.type === 'invoice.created'
          )
      )
    )
    expect(await call('prefs:get')).toMatchObject({ ok: true, data: { plan: { batches: 1 } } })
  })

  it('When the user quits, Then the engine and its emulator stop before the app quits', async () => {
    const before = (await call('runtime:status')) as Result<RuntimeStatus>
    const emulatorUrl = before.ok ? before.data.target.emulatorUrl : null
    expect(emulatorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    let prevented = false

    appEvents.emit('will-quit', { preventDefault: () => (prevented = true) })
    await until(() => app.quit.mock.calls.length > 0)

    expect(prevented).toBe(true)
    // The page can no longer call main, and the emulator's port is closed.
    await expect(call('runtime:status')).rejects.toThrow(/No handler/)
    await expect(fetch(`${emulatorUrl}/_emulator/clock`)).rejects.toThrow()
  })
})
