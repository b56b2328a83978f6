/**
 * Runtimes for tests: in-process emulators standing in for "an emulator elsewhere" (the runtime
 * reaches them over HTTP like any other), a logger that keeps its lines, and cleanup of both.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  startEmulator,
  type Emulator,
  type EmulatorOptions
} from '../../src/main/emulator/emulator'
import { createRuntime, type Runtime, type RuntimeOptions } from '../../src/main/runtime/runtime'

export interface Lines {
  info: string[]
  warn: string[]
  error: string[]
  /** Called with each warning as it is logged (e.g. to lift a fault after a retry). */
  onWarn?: (line: string) => void
}

export interface RuntimeBench {
  dir: string
  emulators: Emulator[]
  runtimes: Runtime[]
  emulator(options?: EmulatorOptions): Promise<Emulator>
  runtime(options: Partial<RuntimeOptions> & Pick<RuntimeOptions, 'target'>): {
    runtime: Runtime
    lines: Lines
  }
  cleanup(): Promise<void>
}

export async function runtimeBench(): Promise<RuntimeBench> {
  const dir = await mkdtemp(join(tmpdir(), 'ssim-runtime-'))
  const bench: RuntimeBench = {
    dir,
    emulators: [],
    runtimes: [],
    async emulator(options = {}) {
      const emulator = await startEmulator({ speed: 0, ...options })
      bench.emulators.push(emulator)
      return emulator
    },
    runtime(options) {
      const lines: Lines = { info: [], warn: [], error: [] }
      const runtime = createRuntime({
        realTime: () => Date.now(),
        stateDir: join(dir, 'state'),
        seed: 1,
        retry: { firstDelayMs: 10, maxDelayMs: 50 },
        logger: {
          info: (m) => lines.info.push(m),
          warn: (m) => {
            lines.warn.push(m)
            lines.onWarn?.(m)
          },
          error: (m) => lines.error.push(m)
        },
        ...options
      })
      bench.runtimes.push(runtime)
      return { runtime, lines }
    },
    async cleanup() {
      for (const runtime of bench.runtimes) await runtime.stop()
      for (const emulator of bench.emulators) await emulator.stop()
      await rm(dir, { recursive: true, force: true })
    }
  }
  return bench
}

/** The AppError code a promise rejects with (fails the test if it resolves). */
export async function codeOf(work: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await work
  } catch (error) {
    const e = error as { code?: string; message?: string }
    return { code: String(e.code), message: String(e.message) }
  }
  throw new Error('expected a refusal, but it succeeded')
}
