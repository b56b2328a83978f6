/**
 * Part 4: the full default 24 h run as users run it: `npm run headless` as a child process, with the
 * embedded emulator and its state file, on a fresh state folder. Timed from the CLI's `ready` line to
 * its `run.completed` line (and, for reference, spawn to exit, which adds tsx's start-up and the
 * final check), with the batches it issued late counted from its JSON lines.
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface CliRunFigures {
  speed: string
  /** `ready` → `run.completed`: the run itself. */
  runMs: number
  /**
   * CPU time the CLI process used (all its threads) from `ready` to `run.completed`: less sensitive
   * to the machine's load than the wall time. NaN where /proc is not available.
   */
  runCpuMs: number
  /** Spawn → exit. */
  processMs: number
  exitCode: number | null
  completed: boolean
  summaryOk: boolean
  batches: number
  lateBatches: number
  invoices: number
  credited: number
  transfersSucceeded: number
  /** Size of the emulator's state file at the end. */
  stateFileBytes: number
  /** The last lines of stderr when the run failed. */
  errorTail: string
}

const PROXY_VARIABLES = /^(https?|all)_proxy$/i
/** Linux reports CPU time in clock ticks of 10 ms (USER_HZ 100 on every mainstream build). */
const MS_PER_TICK = 10

/** User + system CPU ms of a live process so far, from /proc (NaN elsewhere). */
function cpuMsOf(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may hold spaces) start at its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK
  } catch {
    return Number.NaN
  }
}
const ROOT = join(__dirname, '..')

export async function measureCliRun(
  speed: string,
  seed: number,
  timeoutMs: number
): Promise<CliRunFigures> {
  const stateDir = await mkdtemp(join(tmpdir(), 'ssim-bench-cli-'))
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !PROXY_VARIABLES.test(name))
  )
  const spawnedAt = performance.now()
  const child = spawn(
    process.execPath,
    [
      ...['--import', 'tsx', 'src/cli/headless.ts'],
      ...['--speed', speed, '--seed', String(seed), '--json', '--state-dir', stateDir]
    ],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] }
  )
  let readyAt: number | undefined
  let completedAt: number | undefined
  let readyCpu = Number.NaN
  let completedCpu = Number.NaN
  const lines: Record<string, unknown>[] = []
  let partial = ''
  let stderr = ''
  child.stdout.setEncoding('utf8')
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)))
  child.stdout.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n')
    partial = parts.pop() ?? ''
    for (const raw of parts) {
      let line: Record<string, unknown>
      try {
        line = JSON.parse(raw) as Record<string, unknown>
      } catch {
        continue
      }
      if (line.type === 'ready' && readyAt === undefined) {
        readyAt = performance.now()
        readyCpu = cpuMsOf(child.pid)
      }
      if (line.type === 'run.completed' && completedAt === undefined) {
        completedAt = performance.now()
        completedCpu = cpuMsOf(child.pid)
      }
      lines.push(line)
    }
  })
  const limit = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve))
  clearTimeout(limit)
  const processMs = performance.now() - spawnedAt
  const stateFileBytes = await stat(join(stateDir, 'emulator-state.json')).then(
    (s) => s.size,
    () => 0
  )
  await rm(stateDir, { recursive: true, force: true })

  const summary = lines.find((l) => l.type === 'summary')
  const issued = lines.filter((l) => l.type === 'batch.issued')
  const count = (key: string): number => (typeof summary?.[key] === 'number' ? summary[key] : 0)
  return {
    speed,
    runMs: readyAt !== undefined && completedAt !== undefined ? completedAt - readyAt : Number.NaN,
    runCpuMs: completedCpu - readyCpu,
    processMs,
    exitCode,
    completed: completedAt !== undefined,
    summaryOk: summary?.ok === true,
    batches: issued.length,
    lateBatches: issued.filter((l) => l.late === true).length,
    invoices: count('invoices'),
    credited: count('credited'),
    transfersSucceeded: count('transfersSucceeded'),
    stateFileBytes,
    errorTail: exitCode === 0 ? '' : stderr.split('\n').slice(-5).join('\n')
  }
}
