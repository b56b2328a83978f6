/**
 * Part 3: a full default run (8 batches every 3 hours, 8 to 12 invoices each, then the 2-hour settle
 * window: 23 hours of emulator time) wired as tests/engine/full-run.test.ts wires it, timed from
 * startRun to the journal's `run.completed`, then checked with the engine's own verify() against the
 * emulator's records.
 */
import { startBenchEnv } from './env'

export interface FullRunFigures {
  speed: number
  /** startRun → run.completed. */
  wallMs: number
  /** The least wall time this speed allows: the run's virtual length divided by the speed. */
  floorMs: number
  completed: boolean
  verifyOk: boolean
  problems: string[]
  invoices: number
  credited: number
  transfersSucceeded: number
  engineErrors: string[]
}

export async function measureFullRun(speed: number, timeoutMs: number): Promise<FullRunFigures> {
  const env = await startBenchEnv({ speed, seed: 3 })
  try {
    let markComplete: () => void = () => undefined
    const completed = new Promise<void>((resolve) => (markComplete = resolve))
    env.sim.subscribe({}, (entries) => {
      if (entries.some((entry) => entry.type === 'run.completed')) markComplete()
    })
    const started = performance.now()
    await env.sim.startRun()
    let timer: NodeJS.Timeout | undefined
    const finished = await Promise.race([
      completed.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)))
    ])
    clearTimeout(timer)
    const wallMs = performance.now() - started
    const snapshot = env.sim.snapshot()
    const run = snapshot.run
    const virtualMs = run
      ? (run.sizes.length - 1) * run.plan.intervalMs + run.plan.settleMs
      : Number.NaN
    const report = finished ? await env.sim.verify() : { ok: false, problems: ['timed out'] }
    return {
      speed,
      wallMs,
      floorMs: virtualMs / speed,
      completed: finished,
      verifyOk: report.ok,
      problems: report.problems,
      invoices: snapshot.batches
        .filter((b) => b.key.startsWith('b'))
        .reduce((n, b) => n + b.invoiceIds.length, 0),
      credited: snapshot.totals.credited,
      transfersSucceeded: snapshot.totals.transfersSucceeded,
      engineErrors: env.errors
    }
  } finally {
    await env.cleanup()
  }
}
