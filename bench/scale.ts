/**
 * Part 4: does the cost stay linear at any size (issue 7)? Measured on what users run:
 * - the headless CLI as a child process, with its embedded emulator and that emulator's state file,
 *   running batches of 10 invoices, at several run sizes: wall time per invoice (ready line to
 *   `run.completed`), bytes the emulator wrote to disk per invoice (its own count, read from the
 *   control API when the run completes), and the CLI's peak resident memory (VmHWM);
 * - `invoice.create` of 100 through the SDK on an emulator with a state file, empty and holding
 *   10,000 invoices;
 * - the standalone emulator (`src/cli/emulator.ts`) starting on a 10,000-invoice state, to its
 *   ready line, next to the same start on an empty state.
 */
import { spawn } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { startEmulator } from '../src/main/emulator/emulator'
import { generateKeyPair } from '../src/main/stark/keys'
import { connectStark, type StarkSdk } from '../src/main/stark/sdk'

const ROOT = join(__dirname, '..')
const HOUR = 3_600_000

export interface CliRunFigures {
  invoices: number
  batches: number
  /** Ready line to run.completed. */
  runMs: number
  msPerInvoice: number
  /** CPU time of the CLI process over the same span, per invoice. */
  cpuMsPerInvoice: number
  /** The least wall time the clock allows for the run's virtual length at this speed. */
  clockFloorMs: number
  emulatorBytes: number
  bytesPerInvoice: number
  snapshots: number
  peakRssMb: number
  ok: boolean
  problem?: string
}

export interface CreateFigures {
  emptyMs: number
  fullMs: number
  stored: number
  calls: number
}

export interface StartupFigures {
  invoices: number
  /** Snapshot and log on disk after a clean stop, and as a crash left them. */
  stateBytes: number
  crashedStateBytes: number
  emptyMs: number
  fullMs: number
  crashedMs: number
  /** CPU time of the emulator process until its ready line. */
  emptyCpuMs: number
  fullCpuMs: number
  crashedCpuMs: number
}

export interface ScaleFigures {
  speed: string
  intervalMinutes: number
  cli: CliRunFigures[]
  create: CreateFigures
  startup: StartupFigures
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' }
  for (const name of Object.keys(env)) if (/^(https?|all)_proxy$/i.test(name)) delete env[name]
  return env
}

/**
 * CPU time (user + system) a live process has used so far (Linux: /proc/<pid>/stat, in clock ticks
 * of 1/100 s); NaN elsewhere. Unlike wall time, hardly moved by other work on the machine.
 */
async function cpuMs(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return Number.NaN
  }
}

/** Peak resident memory of a live process (Linux); undefined elsewhere. */
async function peakRssMb(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1]
    return kb === undefined ? undefined : Number(kb) / 1024
  } catch {
    return undefined
  }
}

// --- The headless CLI at several sizes ---

export async function measureCliRun(
  invoices: number,
  speed: string,
  intervalMinutes: number,
  timeoutMs: number
): Promise<CliRunFigures> {
  const batches = invoices / 10
  const dir = await mkdtemp(join(tmpdir(), 'ssim-bench-scale-'))
  const args = [
    '--import',
    'tsx',
    'src/cli/headless.ts',
    '--json',
    ...['--state-dir', dir, '--speed', speed, '--seed', '7'],
    ...['--batches', String(batches), '--min-invoices', '10', '--max-invoices', '10'],
    ...['--interval-minutes', String(intervalMinutes)]
  ]
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'ignore']
  })
  const figures: CliRunFigures = {
    invoices,
    batches,
    runMs: Number.NaN,
    msPerInvoice: Number.NaN,
    cpuMsPerInvoice: Number.NaN,
    clockFloorMs:
      speed === 'max' ? 0 : ((batches - 1) * intervalMinutes * 60_000 + 2 * HOUR) / Number(speed),
    emulatorBytes: Number.NaN,
    bytesPerInvoice: Number.NaN,
    snapshots: 0,
    peakRssMb: Number.NaN,
    ok: false
  }
  let readyAt = 0
  let readyCpu = 0
  let emulatorUrl = ''
  const timer = setTimeout(() => {
    figures.problem = `no run.completed within ${timeoutMs / 1000} s`
    child.kill('SIGKILL')
  }, timeoutMs)
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()))
  const lines = createInterface({ input: child.stdout })
  for await (const line of lines) {
    let entry: { type?: string; emulatorUrl?: string; ok?: boolean }
    try {
      entry = JSON.parse(line) as typeof entry
    } catch {
      continue
    }
    if (entry.type === 'ready') {
      readyAt = performance.now()
      readyCpu = await cpuMs(child.pid as number)
      emulatorUrl = entry.emulatorUrl ?? ''
    } else if (entry.type === 'run.completed') {
      figures.runMs = performance.now() - readyAt
      figures.msPerInvoice = figures.runMs / invoices
      figures.cpuMsPerInvoice = ((await cpuMs(child.pid as number)) - readyCpu) / invoices
      figures.peakRssMb = (await peakRssMb(child.pid as number)) ?? Number.NaN
      const response = await fetch(`${emulatorUrl}/_emulator/state`)
      const counts = (await response.json()) as {
        storage: { bytesWritten: number; snapshots: number }
      }
      figures.emulatorBytes = counts.storage.bytesWritten
      figures.bytesPerInvoice = counts.storage.bytesWritten / invoices
      figures.snapshots = counts.storage.snapshots
    } else if (entry.type === 'summary') {
      figures.ok = entry.ok === true
      if (!figures.ok) figures.problem = 'the summary reports broken invariants'
    }
  }
  await exited
  clearTimeout(timer)
  await rm(dir, { recursive: true, force: true })
  return figures
}

// --- invoice.create of 100, empty and full ---

async function connect(url: string, register: (pem: string) => string): Promise<StarkSdk> {
  const keys = generateKeyPair()
  const projectId = register(keys.publicPem)
  return connectStark({ kind: 'emulator', url }, { projectId, privateKey: keys.privatePem })
}

const hundred = (sdk: StarkSdk, n: number): InstanceType<StarkSdk['Invoice']>[] =>
  Array.from(
    { length: 100 },
    (_, i) =>
      new sdk.Invoice({
        amount: 1_000 + ((n * 100 + i) % 90_000),
        name: 'Ana Souza',
        taxId: '012.345.678-90',
        tags: ['bench', `batch-${n}`]
      })
  )

async function timedCreates(sdk: StarkSdk, from: number, calls: number): Promise<number> {
  const times: number[] = []
  for (let k = 0; k < calls; k++) {
    const started = performance.now()
    await sdk.invoice.create(hundred(sdk, from + k))
    times.push(performance.now() - started)
  }
  return median(times)
}

export async function measureCreate(stored: number, calls: number): Promise<CreateFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'ssim-bench-create-'))
  const emulator = await startEmulator({
    stateFile: join(dir, 'emulator-state.json'),
    speed: 0,
    seed: 5
  })
  try {
    // Warm-up on another emulator (JIT, sockets), so that this one is empty when timed. The SDK's
    // connection is global: connecting to one emulator disconnects from the other.
    const warm = await startEmulator({ speed: 0, seed: 6 })
    const warmSdk = await connect(warm.url, (pem) => warm.registerProject(pem))
    for (let n = 0; n < calls; n++) await warmSdk.invoice.create(hundred(warmSdk, n))
    await warm.stop()
    const sdk = await connect(emulator.url, (pem) => emulator.registerProject(pem))
    const emptyMs = await timedCreates(sdk, 0, calls)
    for (let n = calls; Object.keys(emulator.core.state.invoices).length < stored; n++)
      await sdk.invoice.create(hundred(sdk, n))
    const fullMs = await timedCreates(sdk, 10_000, calls)
    return { emptyMs, fullMs, stored, calls }
  } finally {
    await emulator.stop()
    await rm(dir, { recursive: true, force: true })
  }
}

// --- Standalone start on a large state ---

/**
 * A state as a long-used desktop app leaves it: invoices paid, credited, overdue, some pending.
 * Before the clean stop, the files are also copied as they are (`crashCopy`): what a crash would
 * leave, a snapshot and the log written since.
 */
async function buildState(file: string, invoices: number, crashCopy: string): Promise<void> {
  const emulator = await startEmulator({ stateFile: file, speed: 0, seed: 11 })
  try {
    const sdk = await connect(emulator.url, (pem) => emulator.registerProject(pem))
    for (let n = 0; n * 100 < invoices; n++) {
      await sdk.invoice.create(hundred(sdk, n))
      await emulator.clock.advance(HOUR / 4)
    }
    await emulator.core.save()
    await copyDir(dirname(file), dirname(crashCopy))
  } finally {
    await emulator.stop()
  }
}

async function copyDir(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true })
  for (const name of await readdir(from)) await copyFile(join(from, name), join(to, name))
}

async function timeStandaloneStart(file: string): Promise<{ ms: number; cpuMs: number }> {
  const started = performance.now()
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/emulator.ts', '--json', '--port', '0', '--state-file', file],
    { cwd: ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] }
  )
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()))
  const lines = createInterface({ input: child.stdout })
  let readyMs: number | undefined
  let readyCpuMs = Number.NaN
  for await (const line of lines) {
    if (line.includes('"url"')) {
      readyMs = performance.now() - started
      readyCpuMs = await cpuMs(child.pid as number)
      child.kill('SIGTERM')
    }
  }
  await exited
  if (readyMs === undefined) throw new Error(`the emulator did not start on ${file}: ${stderr}`)
  return { ms: readyMs, cpuMs: readyCpuMs }
}

async function stateBytes(file: string): Promise<number> {
  const dir = dirname(file)
  let total = 0
  for (const name of await readdir(dir)) total += (await stat(join(dir, name))).size
  return total
}

export async function measureStartup(invoices: number, rounds: number): Promise<StartupFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'ssim-bench-start-'))
  try {
    const empty = join(dir, 'empty', 'emulator-state.json')
    const full = join(dir, 'full', 'emulator-state.json')
    const crashed = join(dir, 'crashed', 'emulator-state.json')
    await buildState(empty, 0, join(dir, 'unused', 'emulator-state.json'))
    await buildState(full, invoices, crashed)
    const crashedStateBytes = await stateBytes(crashed)
    const times = { empty: [] as number[], full: [] as number[], crashed: [] as number[] }
    const cpu = { empty: [] as number[], full: [] as number[], crashed: [] as number[] }
    // Alternated, so that the machine's load weighs on all alike. Each start after the crash gets
    // its own copy of the files: a clean stop folds the log into the snapshot.
    for (let k = 0; k < rounds; k++) {
      const crashedAgain = join(dir, `crashed-${k}`, 'emulator-state.json')
      await copyDir(dirname(crashed), dirname(crashedAgain))
      for (const [name, file] of [
        ['empty', empty],
        ['full', full],
        ['crashed', crashedAgain]
      ] as const) {
        const start = await timeStandaloneStart(file)
        times[name].push(start.ms)
        cpu[name].push(start.cpuMs)
      }
    }
    return {
      invoices,
      stateBytes: await stateBytes(full),
      crashedStateBytes,
      emptyMs: median(times.empty),
      fullMs: median(times.full),
      crashedMs: median(times.crashed),
      emptyCpuMs: median(cpu.empty),
      fullCpuMs: median(cpu.full),
      crashedCpuMs: median(cpu.crashed)
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

export interface ScaleOptions {
  sizes: number[]
  speed: string
  intervalMinutes: number
  progress: (line: string) => void
}

export async function measureScale(options: ScaleOptions): Promise<ScaleFigures> {
  const cli: CliRunFigures[] = []
  for (const size of options.sizes) {
    options.progress(`5/5 scale: CLI run of ${size} invoices at speed ${options.speed}`)
    cli.push(await measureCliRun(size, options.speed, options.intervalMinutes, 900_000))
  }
  options.progress('5/5 scale: invoice.create of 100, empty and with 10,000 stored')
  const create = await measureCreate(10_000, 9)
  options.progress('5/5 scale: standalone start on an empty and a 10,000-invoice state')
  const startup = await measureStartup(10_000, 3)
  return { speed: options.speed, intervalMinutes: options.intervalMinutes, cli, create, startup }
}
