/**
 * An engine wired to an in-process emulator the way the CLI wires it: the real SDK through the
 * transport seam, the emulator's clock shared with the engine, the real simulator facade (journal,
 * webhook server, verifier, outbox) on a temporary state folder. Everything listens on 127.0.0.1.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmulator, type Emulator, type EmulatorOptions } from '../src/main/emulator/emulator'
import { createSimulator, type Simulator } from '../src/main/engine/simulator'
import { sdkClient, type StarkClient } from '../src/main/stark/client'
import { generateKeyPair } from '../src/main/stark/keys'
import { connectStark, type StarkSdk } from '../src/main/stark/sdk'

export interface BenchEnv {
  emulator: Emulator
  sdk: StarkSdk
  /** The client the engine uses (possibly wrapped by the caller). */
  stark: StarkClient
  sim: Simulator
  webhookUrl: string
  stateDir: string
  /** Engine errors reported through its logger; a benchmark with errors is not a clean figure. */
  errors: string[]
  cleanup(): Promise<void>
}

export interface BenchEnvOptions extends EmulatorOptions {
  /** Registers the engine's webhook at the emulator so that it delivers events (default true). */
  register?: boolean
  /** Wraps the SDK-backed client before the engine gets it (the latency probe does). */
  wrap?: (stark: StarkClient) => StarkClient
  /** Clock time between the engine's catch-up sweeps (engine default: 15 minutes). */
  catchUpIntervalMs?: number
}

// The SDK uses axios, which honours proxy variables; everything here is loopback.
for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'])
  delete process.env[name]

export async function startBenchEnv(options: BenchEnvOptions = {}): Promise<BenchEnv> {
  const { register = true, wrap, catchUpIntervalMs, ...emulatorOptions } = options
  const emulator = await startEmulator({ speed: 0, seed: 42, ...emulatorOptions })
  const keys = generateKeyPair()
  const projectId = emulator.registerProject(keys.publicPem)
  const sdk = connectStark(
    { kind: 'emulator', url: emulator.url },
    { projectId, privateKey: keys.privatePem }
  )
  const base = sdkClient(sdk)
  const stark = wrap ? wrap(base) : base
  const stateDir = await mkdtemp(join(tmpdir(), 'ssim-bench-'))
  const errors: string[] = []
  const sim = await createSimulator({
    clock: emulator.clock,
    stark,
    stateDir,
    logger: { info: () => undefined, warn: () => undefined, error: (m) => errors.push(m) },
    seed: 1,
    catchUpIntervalMs,
    // The latency probe matches entries to requests by this clock's wall time.
    realTime: () => performance.timeOrigin + performance.now()
  })
  const { webhookUrl } = await sim.start()
  if (register) await sim.registerWebhook()
  return {
    emulator,
    sdk,
    stark,
    sim,
    webhookUrl,
    stateDir,
    errors,
    async cleanup() {
      await sim.stop()
      await emulator.stop()
      await rm(stateDir, { recursive: true, force: true })
    }
  }
}
