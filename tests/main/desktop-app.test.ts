// @vitest-environment node
/**
 * The desktop app's composition root (src/main/index.ts) on the electron mock, with everything
 * under it real: the runtime (createRuntime, as the CLI's) starts the embedded emulator in userData
 * at the saved speed `max`, holds Stark's time still while no run is active, the window's page
 * reaches the handlers over IPC and hears pushes, a short run completes, and quitting stops the
 * engine and releases the state folder's lock before the app quits.
 */
import { generateKeyPairSync } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Delivered, Result, RuntimeStatus } from '../../src/shared/contract'
import type { JournalEntry } from '../../src/shared/journal'
import type { SimulatorSnapshot } from '../../src/shared/snapshot'
import { decodeQrPng, readPdf } from '../helpers/documents'
import {
  BrowserWindowMock,
  app,
  appEvents,
  appPaths,
  invokeEvent,
  ipcMain,
  protocol,
  dialog,
  resetElectronMock,
  safeStorage,
  shell
} from '../mocks/electron'
import { findLeak } from '../helpers/key-material'

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
    // Saved by an earlier session's emulator panel (electron-store's file in userData).
    await writeFile(join(userData, 'config.json'), JSON.stringify({ speed: 'max' }))
    process.env['SSIM_USER_DATA'] = userData
    appPaths['temp'] = join(userData, 'temp')
    await import('../../src/main/index')
    await until(() => BrowserWindowMock.instances.length === 1)
    window = BrowserWindowMock.instances[0] as BrowserWindowMock
  })
  afterAll(async () => {
    delete process.env['SSIM_USER_DATA']
    await rm(userData, { recursive: true, force: true })
  })

  const status = async (): Promise<RuntimeStatus> => {
    const answer = (await call('runtime:status')) as Result<RuntimeStatus>
    if (!answer.ok) throw new Error(`runtime:status failed: ${answer.message}`)
    return answer.data
  }
  /** True when Stark's time stands still across a few real milliseconds. */
  const standsStill = async (): Promise<boolean> => {
    const before = (await status()).clock.now
    await new Promise((r) => setTimeout(r, 50))
    return (await status()).clock.now === before
  }
  const pushed = (): JournalEntry[] =>
    window.webContents.sent
      .filter(([channel]) => channel === 'push:journal')
      .flatMap(([, payload]) => (payload as { entries: JournalEntry[] }).entries)

  it('When launched, Then the page is served from app:// and the engine runs in userData', async () => {
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalled()
    expect(protocol.handle).toHaveBeenCalledWith('app', expect.any(Function))
    expect(window.loadURL).toHaveBeenCalledWith('app://renderer/index.html')
    expect(await call('app:info')).toEqual({
      ok: true,
      data: { name: 'Stark Sandbox Simulator', version: '0.0.0-test', host: 'desktop' }
    })

    await until(async () => (await status()).phase === 'running')
    expect((await status()).stateDir).toBe(join(userData, 'state', 'emulator'))
  })

  it('When the saved speed is max and no run is active, Then it is shown, and Stark’s time is held still', async () => {
    expect((await status()).clock.speed).toBe('max')
    // At max with nothing to drive, catch-up sweeps alone would take it through days a second.
    expect(await standsStill()).toBe(true)
  })

  it('When the page says ready and a short run starts at max, Then it completes and every entry is pushed', async () => {
    expect(await call('session:ready', { afterSeq: 0 })).toMatchObject({ ok: true })
    const plan = {
      batches: 3,
      intervalMs: 3_600_000,
      minInvoices: 1,
      maxInvoices: 3,
      settleMs: 3_600_000
    }
    expect(await call('run:start', { plan })).toMatchObject({ ok: true })

    await until(() => pushed().some((e) => e.type === 'run.completed'), 60_000)
    const snapshot = (await call('snapshot:get')) as Result<SimulatorSnapshot>
    if (!snapshot.ok) throw new Error(snapshot.message)
    const { run, totals } = snapshot.data
    expect(run).toMatchObject({ completed: true, batchesIssued: 3 })
    expect(totals.invoices).toBeGreaterThanOrEqual(3)
    // Each credit turned into exactly one transfer, and the window heard of each.
    expect(totals.transfersSent).toBe(totals.credited)
    expect(pushed().filter((e) => e.type === 'transfer.sent')).toHaveLength(totals.transfersSent)
    expect(pushed().map((e) => e.seq)).toEqual(pushed().map((_, i) => i + 1))
    expect(await call('prefs:get')).toMatchObject({
      ok: true,
      data: { speed: 'max', plan: { batches: 3 } }
    })
  })

  it('When an invoice’s QR code and PDF are asked for, Then the QR code is its BR Code and the OS opens the PDF', async () => {
    const snapshot = (await call('snapshot:get')) as Result<SimulatorSnapshot>
    const invoice = snapshot.ok ? snapshot.data.invoices[0] : undefined
    if (!invoice) throw new Error('no invoice')

    const qr = (await call('invoice:qrcode', { invoiceId: invoice.id })) as Result<{
      dataUrl: string
    }>
    const opened = (await call('document:open', {
      kind: 'invoice',
      id: invoice.id
    })) as Result<Delivered>

    if (!qr.ok) throw new Error(qr.message)
    const png = Buffer.from(qr.data.dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64')
    expect(decodeQrPng(png).text).toMatch(/^000201/)
    if (!opened.ok || opened.data.kind !== 'opened') throw new Error(JSON.stringify(opened))
    expect(shell.openPath).toHaveBeenCalledWith(opened.data.path)
    expect((await readPdf(await readFile(opened.data.path))).title).toBe(`Fatura Pix ${invoice.id}`)
  })

  it('When the run has completed at max, Then Stark’s time is held still again', async () => {
    await until(standsStill)
    expect((await status()).clock.speed).toBe('max')
  })

  it('When a key file is loaded through main’s dialog, Then it is stored encrypted, the page sees only its public half, and an unprotected keyring asks first', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' })
    const file = join(userData, 'privateKey.pem')
    await writeFile(file, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())
    const answers: string[] = []
    const ask = async (channel: string, args?: unknown): Promise<Result<unknown>> => {
      const answer = await call(channel, args)
      answers.push(JSON.stringify(answer))
      return answer
    }

    dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: [file] })
    const loaded = await ask('keys:load-file', { projectId: '1234567890' })
    expect(loaded).toEqual({
      ok: true,
      data: {
        projectId: '1234567890',
        fingerprint: expect.any(String),
        publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString()
      }
    })
    // electron-store's file holds only ciphertext from safeStorage.
    const stored = await readFile(join(userData, 'credentials.json'), 'utf8')
    expect(stored).toContain('encryptedPrivateKey')
    expect(findLeak(stored, privateKey)).toBeUndefined()
    expect(await ask('keys:get')).toMatchObject({
      ok: true,
      data: { protection: { backend: 'gnome_libsecret', protected: true } }
    })
    expect(await ask('keys:load-file', { projectId: '1234567890' })).toEqual({
      ok: true,
      data: null
    })
    expect(await ask('environment:get')).toMatchObject({
      ok: true,
      data: {
        environment: 'emulator',
        stateDirs: { sandbox: join(userData, 'state', 'sandbox-1234567890') }
      }
    })

    safeStorage.backendName = 'basic_text'
    const asked = await ask('keys:generate', {})
    expect(asked).toMatchObject({ ok: false, code: 'needs_confirmation' })
    expect(!asked.ok && asked.message).toMatch(/No system keyring was found/)
    expect(await ask('keys:generate', { allowUnprotected: true })).toMatchObject({
      ok: true,
      data: { projectId: null }
    })
    expect(await ask('keys:delete')).toEqual({ ok: true, data: { deleted: true } })
    safeStorage.backendName = 'gnome_libsecret'

    const everything = [...answers, JSON.stringify(window.webContents.sent)].join('\n')
    expect(findLeak(everything, privateKey)).toBeUndefined()
    expect(everything).not.toMatch(/PRIVATE KEY/)
  })

  it('When the user quits, Then the engine and its emulator stop and the folder’s lock is released before the app quits', async () => {
    const before = await status()
    const emulatorUrl = before.target.emulatorUrl
    expect(emulatorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(existsSync(join(before.stateDir, 'state.lock'))).toBe(true)
    let prevented = false

    appEvents.emit('will-quit', { preventDefault: () => (prevented = true) })
    await until(() => app.quit.mock.calls.length > 0)

    expect(prevented).toBe(true)
    // The page can no longer call main, the emulator's port is closed, the lock is gone.
    await expect(call('runtime:status')).rejects.toThrow(/No handler/)
    await expect(fetch(`${emulatorUrl}/_emulator/clock`)).rejects.toThrow()
    expect(existsSync(join(before.stateDir, 'state.lock'))).toBe(false)
  })
})
