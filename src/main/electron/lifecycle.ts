/**
 * The desktop app's lifecycle: one instance (a second launch focuses the first window), and a
 * bounded shutdown when the last window closes or the user quits (httptoolkit-desktop's
 * `will-quit` pattern): each stop step gets a deadline, and the app quits in `finally` whatever
 * happened.
 */
import { BrowserWindow, app } from 'electron'

/** Something long-lived (the push hub, the runtime) that must stop before exit. */
export interface Stoppable {
  name: string
  stop: () => Promise<void>
}

/** A hung stop() must never keep the process alive: each step gets this long, then we move on. */
export const STOP_STEP_DEADLINE_MS = 10_000

export function withDeadline(work: Promise<void>, ms: number, name: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<void>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} did not stop within ${ms} ms`)), ms)
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}

/** Stops in the given order; failures are only logged. */
export async function stopAll(
  steps: readonly Stoppable[],
  deadlineMs = STOP_STEP_DEADLINE_MS
): Promise<void> {
  for (const step of steps) {
    try {
      await withDeadline(step.stop(), deadlineMs, step.name)
    } catch (error) {
      console.error(`Shutdown: ${step.name} failed`, error)
    }
  }
}

export function focus(window: BrowserWindow | undefined): void {
  if (!window) return
  if (window.isMinimized()) window.restore()
  window.show()
  window.focus()
}

/**
 * Takes the single-instance lock and wires quitting. Returns false when another instance runs
 * (this one then quits at once: two would fight over the state folder and its lock).
 */
export function holdLifecycle(stoppables: readonly Stoppable[]): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return false
  }
  let phase: 'running' | 'stopping' | 'stopped' = 'running'
  app.on('second-instance', () => focus(BrowserWindow.getAllWindows()[0]))
  // The engine lives as long as its window: closing it stops the run's timers (on macOS too).
  app.on('window-all-closed', () => app.quit())
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
  return true
}
