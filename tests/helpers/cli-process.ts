/**
 * Runs the project's CLIs (src/cli/*.ts) as real child processes. They run as `node --import tsx`,
 * one process each, so a SIGKILL reaches the process that does the work (the tsx binary would put a
 * second node process in between). Every child is tracked so afterEach can kill what a test left.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

export type JsonLine = Record<string, unknown> & { type?: string }

const running = new Set<CliProcess>()

const PROXY_VARIABLES = /^(https?|all)_proxy$/i

export class CliProcess {
  readonly lines: string[] = []
  stderr = ''
  readonly exited: Promise<Exit>
  exit: Exit | undefined
  readonly startedAt = Date.now()
  private readonly child: ChildProcess
  private readonly listeners = new Set<(line: string) => void>()
  private partial = ''

  /** `extraEnv` is added after proxy variables are dropped (a test may set one on purpose). */
  constructor(script: string, args: string[], extraEnv: Record<string, string> = {}) {
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !PROXY_VARIABLES.test(name))
    )
    this.child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: ROOT,
      env: { ...env, FORCE_COLOR: '0', NO_COLOR: '1', ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    running.add(this)
    this.child.stdout?.setEncoding('utf8')
    this.child.stderr?.setEncoding('utf8')
    this.child.stdout?.on('data', (chunk: string) => this.onData(chunk))
    this.child.stderr?.on('data', (chunk: string) => (this.stderr += chunk))
    this.exited = new Promise<Exit>((resolve) => {
      this.child.on('close', (code, signal) => {
        if (this.partial) this.emit(this.partial)
        this.partial = ''
        this.exit = { code, signal }
        running.delete(this)
        resolve(this.exit)
      })
    })
  }

  get pid(): number | undefined {
    return this.child.pid
  }

  /** Every stdout line parsed as JSON; throws on a line that is not JSON. */
  json(): JsonLine[] {
    return this.lines.map((line) => {
      try {
        return JSON.parse(line) as JsonLine
      } catch {
        throw new Error(`stdout line is not JSON: ${line.slice(0, 200)}`)
      }
    })
  }

  /** Calls `listener` with each new stdout line, synchronously as it is read. */
  onLine(listener: (line: string) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Resolves with the first JSON line (seen already or to come) that matches. */
  waitForJson(
    matches: (line: JsonLine) => boolean,
    timeoutMs: number,
    what: string
  ): Promise<JsonLine> {
    return new Promise((resolve, reject) => {
      const test = (raw: string): boolean => {
        try {
          const parsed = JSON.parse(raw) as JsonLine
          if (!matches(parsed)) return false
          done()
          resolve(parsed)
          return true
        } catch {
          return false
        }
      }
      const timer = setTimeout(() => {
        done()
        reject(new Error(`no ${what} within ${timeoutMs} ms\n${this.describe()}`))
      }, timeoutMs)
      const stop = this.onLine(test)
      const done = (): void => {
        clearTimeout(timer)
        stop()
      }
      if (this.lines.some(test)) return
      void this.exited.then(() => {
        if (!this.lines.some(test)) {
          done()
          reject(new Error(`the process exited before ${what}\n${this.describe()}`))
        }
      })
    })
  }

  /** Waits for the exit, killing the process (SIGKILL) if it takes longer than `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<Exit> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const late = new Promise<'late'>(
      (resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs))
    )
    const result = await Promise.race([this.exited, late])
    clearTimeout(timer)
    if (result !== 'late') return result
    this.kill('SIGKILL')
    await this.exited
    throw new Error(`the process did not exit within ${timeoutMs} ms\n${this.describe()}`)
  }

  kill(signal: NodeJS.Signals): void {
    if (!this.exit) this.child.kill(signal)
  }

  /** The last lines of output, for failure messages. */
  describe(): string {
    const tail = (text: string): string => text.split('\n').slice(-15).join('\n')
    return `exit ${JSON.stringify(this.exit ?? null)}\nstdout (tail):\n${tail(this.lines.join('\n'))}\nstderr (tail):\n${tail(this.stderr)}`
  }

  private onData(chunk: string): void {
    const parts = (this.partial + chunk).split('\n')
    this.partial = parts.pop() ?? ''
    for (const line of parts) this.emit(line)
  }

  private emit(line: string): void {
    this.lines.push(line)
    for (const listener of this.listeners) listener(line)
  }
}

export const runHeadless = (args: string[], env: Record<string, string> = {}): CliProcess =>
  new CliProcess('src/cli/headless.ts', args, env)

export interface EmulatorProcess {
  process: CliProcess
  url: string
  publicKey: string
}

/** Starts `src/cli/emulator.ts --json` and reads its ready line. */
export async function runEmulator(args: string[], timeoutMs = 20_000): Promise<EmulatorProcess> {
  const process = new CliProcess('src/cli/emulator.ts', ['--json', ...args])
  const ready = await process.waitForJson(
    (line) => typeof line.url === 'string',
    timeoutMs,
    'emulator ready line'
  )
  return { process, url: ready.url as string, publicKey: ready.publicKey as string }
}

/** Kills (SIGKILL) every child still running and waits for them; for afterEach. */
export async function killAllChildren(): Promise<void> {
  const children = [...running]
  for (const child of children) child.kill('SIGKILL')
  await Promise.all(children.map((child) => child.exited))
}
