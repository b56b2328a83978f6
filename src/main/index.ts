/**
 * Composition root: acquires the single-instance lock, registers each feature's IPC, opens the
 * window last, and runs a bounded shutdown. Feature logic lives elsewhere.
 */
import { BrowserWindow, app } from 'electron'
import { registerAppIpc } from './ipc'
import { createMainWindow } from './window'

/** Something long-lived (scheduler, tunnel, webhook server) that must stop before exit. */
interface Stoppable {
  name: string
  stop: () => Promise<void>
}

// A hung stop() must never keep the process alive: each step gets this long, then we move on.
const STOP_STEP_DEADLINE_MS = 5_000

function withDeadline(work: Promise<void>, ms: number, name: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<void>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} did not stop within ${ms} ms`)), ms)
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}

/** Stops in the given order (scheduler, then tunnel, then server); failures are only logged. */
async function stopAll(steps: readonly Stoppable[]): Promise<void> {
  for (const step of steps) {
    try {
      await withDeadline(step.stop(), STOP_STEP_DEADLINE_MS, step.name)
    } catch (error) {
      console.error(`Shutdown: ${step.name} failed`, error)
    }
  }
}

function focus(window: BrowserWindow | undefined): void {
  if (!window) return
  if (window.isMinimized()) window.restore()
  window.focus()
}

function main(): void {
  // A second copy would fight over the webhook port and the state files.
  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return
  }

  // Features append themselves here as they are wired in, in stop order.
  const stoppables: Stoppable[] = []
  let phase: 'running' | 'stopping' | 'stopped' = 'running'

  app.on('second-instance', () => focus(BrowserWindow.getAllWindows()[0]))

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })

  app.on('will-quit', (event) => {
    if (phase === 'stopped') return
    event.preventDefault()
    if (phase === 'stopping') return
    phase = 'stopping'
    void stopAll(stoppables).finally(() => {
      phase = 'stopped'
      app.quit()
    })
  })

  app
    .whenReady()
    .then(() => {
      if (process.platform === 'win32') app.setAppUserModelId('com.starksandbox.simulator')
      registerAppIpc()
      createMainWindow()
      app.on('activate', () => {
        if (BrowserWindow.getAllWindows().length === 0) createMainWindow()
      })
    })
    .catch((error: unknown) => {
      console.error('Startup failed', error)
      app.exit(1)
    })
}

main()
