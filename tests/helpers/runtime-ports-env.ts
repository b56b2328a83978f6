/**
 * The runtime as the desktop app owns it (createRuntime on the embedded emulator, in a fresh state
 * folder) behind the ports the handlers use (runtime-ports.ts). Speed 0 by default: Stark's time
 * moves only when a test advances `clock`.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runtimePorts, type RuntimePorts } from '../../src/main/app/runtime-ports'
import { createRuntime, type Runtime } from '../../src/main/runtime/runtime'
import type { ClockSpeed, VirtualClock } from '../../src/main/time/clock'

export interface RuntimePortsEnv {
  runtime: Runtime
  ports: RuntimePorts
  stateDir: string
  /** The embedded emulator's clock, shared with the engine. */
  clock: VirtualClock
  /** The project key the runtime signs its Stark calls with (SEC1 PEM). */
  projectKeyPem(): Promise<string>
  /** Errors the runtime logged. */
  errors: string[]
  cleanup(): Promise<void>
}

export async function startRuntimePorts(
  options: { speed?: ClockSpeed; deferClock?: boolean; seed?: number } = {}
): Promise<RuntimePortsEnv> {
  const dir = await mkdtemp(join(tmpdir(), 'ssim-ports-'))
  const stateDir = join(dir, 'state')
  const speed = options.speed ?? 0
  const errors: string[] = []
  const logger = {
    info: () => undefined,
    warn: () => undefined,
    error: (m: string) => errors.push(m)
  }
  const runtime = createRuntime({
    realTime: () => Date.now(),
    target: { kind: 'embedded', speed, seed: options.seed ?? 1, deferClock: options.deferClock },
    stateDir,
    logger,
    retry: { firstDelayMs: 10, maxDelayMs: 50 }
  })
  const ports = runtimePorts(runtime, { speed, logger })
  await ports.start()
  if (runtime.phase !== 'running' || !runtime.clock)
    throw new Error(`the runtime did not start: ${JSON.stringify(runtime.status().error)}`)
  return {
    runtime,
    ports,
    stateDir,
    clock: runtime.clock,
    errors,
    projectKeyPem: () => readFile(join(stateDir, 'emulator-project-key.pem'), 'utf8'),
    async cleanup() {
      ports.close()
      await runtime.stop()
      await rm(dir, { recursive: true, force: true })
    }
  }
}
