/**
 * `npm run bench -- --cli-only`: the CLI's full default run (embedded emulator with its state file)
 * at each of `--cli-speeds`, in interleaved rounds so that every speed meets the same load, with the
 * median per speed. Wall time follows the machine's load; the CPU time the CLI used is printed
 * beside it, with the load average before and after.
 */
import { loadavg } from 'node:os'
import { measureCliRun, type CliRunFigures } from './cli-full-run'

export interface CliRoundsFigures {
  speeds: string[]
  rounds: number
  seed: number
  runs: CliRunFigures[]
  loadAverageBefore: number[]
  loadAverageAfter: number[]
}

const load = (): number[] => loadavg().map((n) => Math.round(n * 100) / 100)

export async function measureCliRounds(options: {
  speeds: string[]
  rounds: number
  seed: number
  progress: (line: string) => void
}): Promise<CliRoundsFigures> {
  const loadAverageBefore = load()
  const runs: CliRunFigures[] = []
  for (let round = 1; round <= options.rounds; round++) {
    for (const speed of options.speeds) {
      options.progress(`CLI full default run at --speed ${speed}, round ${round}/${options.rounds}`)
      runs.push(await measureCliRun(speed, options.seed, 300_000))
    }
  }
  return { ...options, runs, loadAverageBefore, loadAverageAfter: load() }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN
}
const s = (ms: number): string => (Number.isNaN(ms) ? 'n/a' : `${(ms / 1000).toFixed(2)} s`)

export function renderCliRounds(figures: CliRoundsFigures): string {
  const lines = [
    `CLI full default run (seed ${figures.seed}), ready -> run.completed, ${figures.rounds} interleaved rounds`
  ]
  for (const speed of figures.speeds) {
    const runs = figures.runs.filter((r) => r.speed === speed)
    const ok = runs.filter((r) => r.completed && r.summaryOk)
    const late = runs.reduce((n, r) => n + r.lateBatches, 0)
    lines.push(
      `--speed ${speed}: median ${s(median(ok.map((r) => r.runMs)))} wall, ` +
        `${s(median(ok.map((r) => r.runCpuMs)))} CPU; runs ${runs.map((r) => s(r.runMs)).join(', ')}; ` +
        `${ok.length}/${runs.length} completed with summary ok; late batches ${late}` +
        (speed === 'max' ? ' (target: under 3 s, 0 late)' : '')
    )
  }
  lines.push(
    `load average ${figures.loadAverageBefore.join(' ')} before, ${figures.loadAverageAfter.join(' ')} after`
  )
  for (const run of figures.runs.filter((r) => r.errorTail))
    lines.push(`note: a run at ${run.speed} failed:\n${run.errorTail}`)
  return lines.join('\n')
}
