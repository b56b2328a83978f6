/**
 * SIGINT, SIGTERM and SIGHUP handlers, installed when this module is evaluated: headless.ts imports
 * it first, before anything that can pull in `signal-exit` (write-file-atomic, proper-lockfile).
 * signal-exit re-raises a signal when its own handlers are the only ones left, which killed a busy
 * CLI outright, skipping its stop steps. These handlers are permanent (`on`, never `once`), so that
 * never happens: a signal is only ever a request to stop cleanly. Signals that arrive before the CLI
 * is ready to stop are kept and handed over when it is.
 */
export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP'

export const SIGNAL_EXIT_CODES: Record<StopSignal, number> = {
  SIGHUP: 129,
  SIGINT: 130,
  SIGTERM: 143
}

/**
 * signal-exit counts its registrations against the signal's listeners and, when the numbers happen
 * to match (ours plus its own, two users of it loaded), re-raises the signal it just got. That echo
 * arrives within milliseconds and must not read as the user pressing Ctrl-C a second time.
 */
const ECHO_MS = 250

const early: StopSignal[] = []
let handler: ((signal: StopSignal) => void) | undefined
const lastAt = new Map<StopSignal, number>()

for (const signal of Object.keys(SIGNAL_EXIT_CODES) as StopSignal[]) {
  process.on(signal, () => {
    const now = performance.now()
    const last = lastAt.get(signal)
    lastAt.set(signal, now)
    if (last !== undefined && now - last < ECHO_MS) return
    if (handler) handler(signal)
    else early.push(signal)
  })
}

/** Routes stop signals to `onSignal`, first the ones that came before it was set. */
export function onStopSignal(onSignal: (signal: StopSignal) => void): void {
  handler = onSignal
  for (const signal of early.splice(0)) onSignal(signal)
}
