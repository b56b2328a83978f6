/**
 * An engine wired to an in-process emulator exactly as the CLI wires it: the real SDK through the
 * transport seam, the emulator's clock shared with the engine, and a webhook registered at Stark.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EmulatorOptions } from '../../src/main/emulator/emulator'
import type { JournalEntry } from '../../src/shared/journal'
import {
  createSimulator,
  type Simulator,
  type SimulatorDeps
} from '../../src/main/engine/simulator'
import { sdkClient, type StarkClient } from '../../src/main/stark/client'
import type { Clock } from '../../src/main/time/clock'
import { startSdkEmulator, type SdkEmulator } from './sdk-emulator'
import { testWallTime } from './engine-restart'

export interface EngineEnv extends SdkEmulator {
  sim: Simulator
  stark: StarkClient
  stateDir: string
  entries: JournalEntry[]
  /** Resolves when the journal records the run as complete. */
  completed: Promise<void>
  restart(): Promise<Simulator>
  cleanup(): Promise<void>
}

export interface EngineEnvOptions extends EmulatorOptions {
  engine?: Partial<SimulatorDeps>
  register?: boolean
  /** Wraps the engine's Stark client (not the test's `env.stark`), e.g. to lose an answer. */
  wrapStark?: (stark: StarkClient) => StarkClient
  /** Wraps the engine's view of the shared clock (the emulator keeps the clock itself). */
  wrapClock?: (clock: Clock) => Clock
}

export async function startEngineEnv(options: EngineEnvOptions = {}): Promise<EngineEnv> {
  const env = await startSdkEmulator(options)
  const stateDir = await mkdtemp(join(tmpdir(), 'ssim-engine-'))
  const stark = sdkClient(env.sdk)
  const entries: JournalEntry[] = []
  let markComplete: () => void = () => undefined
  const completed = new Promise<void>((resolve) => (markComplete = resolve))
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined }

  const clock = options.wrapClock ? options.wrapClock(env.emulator.clock) : env.emulator.clock
  const create = async (): Promise<Simulator> => {
    const sim = await createSimulator({
      clock,
      stark: options.wrapStark ? options.wrapStark(stark) : stark,
      stateDir,
      logger: quiet,
      seed: 1,
      realTime: testWallTime,
      ...options.engine
    })
    // Entries from this engine on: a restarted engine replays nothing already heard.
    sim.subscribe({}, (batch) => {
      for (const entry of batch) {
        entries.push(entry)
        if (entry.type === 'run.completed') markComplete()
      }
    })
    await sim.start()
    if (options.register !== false) await sim.registerWebhook()
    return sim
  }

  const result: EngineEnv = {
    ...env,
    sim: await create(),
    stark,
    stateDir,
    entries,
    completed,
    async restart() {
      await result.sim.stop()
      result.sim = await create()
      return result.sim
    },
    async cleanup() {
      await result.sim.stop()
      await env.stop()
      await rm(stateDir, { recursive: true, force: true })
    }
  }
  return result
}
