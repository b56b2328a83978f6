// @vitest-environment node
/**
 * The desktop lifecycle on the electron mock, with the real runtime underneath: one instance
 * (a second launch focuses the first window), quitting stops everything within a bounded time,
 * the engine stops when its window closes, a relaunch resumes the run, the menu opens the state
 * folder, and the window remembers its bounds.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { confPrefs } from '../../src/main/app/prefs'
import { runtimePorts, type RuntimePorts } from '../../src/main/app/runtime-ports'
import { holdLifecycle, stopAll, type Stoppable } from '../../src/main/electron/lifecycle'
import { setAppMenu } from '../../src/main/electron/menu'
import { createMainWindow } from '../../src/main/electron/window'
import { createRuntime } from '../../src/main/runtime/runtime'
import {
  BrowserWindowMock,
  Menu,
  app,
  appEvents,
  resetElectronMock,
  shell
} from '../mocks/electron'

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined }

describe('desktop lifecycle', () => {
  let dir: string
  beforeEach(async () => {
    resetElectronMock()
    dir = await mkdtemp(join(tmpdir(), 'ssim-life-'))
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  it('When another instance holds the lock, Then this one quits at once', () => {
    app.requestSingleInstanceLock.mockReturnValueOnce(false)

    expect(holdLifecycle([])).toBe(false)
    expect(app.quit).toHaveBeenCalled()
  })

  it('When a second launch happens, Then the first window is restored and focused', () => {
    holdLifecycle([])
    const window = createMainWindow()
    const mock = BrowserWindowMock.instances[0] as BrowserWindowMock
    mock.isMinimized.mockReturnValue(true)

    appEvents.emit('second-instance')

    expect(window).toBe(mock)
    expect(mock.restore).toHaveBeenCalled()
    expect(mock.focus).toHaveBeenCalled()
  })

  it('When the last window closes, Then the app quits (the engine lives as long as its window)', () => {
    holdLifecycle([])

    appEvents.emit('window-all-closed')

    expect(app.quit).toHaveBeenCalledTimes(1)
  })

  it('When quitting, Then every step stops in order before the app quits', async () => {
    const order: string[] = []
    const steps: Stoppable[] = [
      { name: 'hub', stop: async () => void order.push('hub') },
      { name: 'runtime', stop: async () => void order.push('runtime') }
    ]
    holdLifecycle(steps)
    let prevented = 0
    const quitEvent = { preventDefault: () => prevented++ }

    appEvents.emit('will-quit', quitEvent)
    appEvents.emit('will-quit', quitEvent)
    await new Promise((r) => setTimeout(r, 50))

    expect(prevented).toBe(2)
    expect(order).toEqual(['hub', 'runtime'])
    expect(app.quit).toHaveBeenCalledTimes(1)
    appEvents.emit('will-quit', quitEvent)
    expect(prevented).toBe(2)
  })

  it('When a step hangs, Then shutdown moves on after its deadline', async () => {
    const order: string[] = []

    // The stuck step never settles: that this resolves at all is the deadline working.
    await stopAll(
      [
        { name: 'stuck', stop: () => new Promise<void>(() => undefined) },
        { name: 'next', stop: async () => void order.push('next') }
      ],
      100
    )

    expect(order).toEqual(['next'])
  })

  it('When the menu’s Open State Folder is clicked, Then the OS opens the runtime’s folder', () => {
    setAppMenu({ stateDir: () => dir, isPackaged: true })
    const template = (
      Menu.buildFromTemplate.mock.calls[0] as [{ label?: string; submenu?: unknown }[]]
    )[0]
    const file = template.find((item) => item.label === 'File')
    const open = (file?.submenu as { label?: string; click?: () => void }[]).find(
      (item) => item.label === 'Open State Folder'
    )

    open?.click?.()

    expect(shell.openPath).toHaveBeenCalledWith(dir)
  })

  it('When the window closes, Then its bounds are saved and the next window opens with them', () => {
    const prefs = confPrefs(dir)
    createMainWindow(prefs)
    const first = BrowserWindowMock.instances[0] as BrowserWindowMock
    first.getNormalBounds.mockReturnValue({ x: 40, y: 60, width: 1400, height: 900 })

    first.emit('close')
    createMainWindow(prefs)

    expect(prefs.read().windowBounds).toEqual({
      x: 40,
      y: 60,
      width: 1400,
      height: 900,
      maximized: false
    })
    expect((BrowserWindowMock.instances[1] as BrowserWindowMock).options).toMatchObject({
      x: 40,
      y: 60,
      width: 1400,
      height: 900
    })
  })

  describe('the runtime the app owns', () => {
    let ports: RuntimePorts | undefined
    afterEach(async () => {
      ports?.close()
      await ports?.runtime.stop()
    })
    const appRuntime = (stateDir: string): RuntimePorts =>
      runtimePorts(
        createRuntime({
          target: { kind: 'embedded', speed: 0, seed: 3, deferClock: true },
          stateDir,
          realTime: () => Date.now(),
          logger: quiet
        }),
        { speed: 0, logger: quiet }
      )

    it('When started, stopped and relaunched on the same folder, Then the run resumes where it was', async () => {
      const stateDir = join(dir, 'state')
      const phases: string[] = []
      ports = appRuntime(stateDir)
      ports.onChange(() => phases.push((ports as RuntimePorts).status().phase))
      await ports.start()
      const live = ports.live()
      if (!live) throw new Error('not running')
      const { runId } = await live.simulator.startRun({ batches: 2 })
      await live.simulator.issueInvoice({ name: 'Ana', amount: 1000 })

      await ports.runtime.stop()
      // The runtime also tells of its webhook registration; the phases come in this order.
      expect(phases.filter((p, i) => p !== phases[i - 1])).toEqual([
        'starting',
        'running',
        'stopping',
        'stopped'
      ])
      expect(ports.live()).toBeUndefined()

      ports = appRuntime(stateDir)
      await ports.start()
      const again = ports.live()?.simulator.snapshot()
      expect(again?.run?.runId).toBe(runId)
      expect(again?.invoices.some((i) => i.name === 'Ana')).toBe(true)
      expect(ports.status()).toMatchObject({
        phase: 'running',
        environment: 'emulator',
        stateDir
      })
    })

    it('When it cannot start, Then the status says failed with what to do', async () => {
      const file = join(dir, 'not-a-folder')
      await import('node:fs/promises').then((fs) => fs.writeFile(file, 'x'))
      ports = appRuntime(file)

      await ports.start()

      const status = ports.status()
      expect(status.phase).toBe('failed')
      expect(status.error?.message).toBe(
        `The state folder ${file} is a file (or lies under one), not a folder. Move that file aside, or choose another state folder.`
      )
      expect(ports.live()).toBeUndefined()
    })
  })
})
