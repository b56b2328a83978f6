/**
 * The browser dashboard with the "real sandbox" a test can have on this machine: the headless
 * engine's dashboard (the CLI's own composition, startHeadlessDashboard) on the embedded emulator,
 * able to switch to the sandbox target, whose TLS connections go to an emulator served as
 * sandbox.api.starkbank.com under a test CA (the test-only trust override, which no flag of the app
 * sets), and a loopback server speaking the localtunnel protocol as the tunnel host. One process,
 * so that `<id>.localhost` (the tunnel's public names) resolves for the engine and the emulator.
 *
 * Usage: node --import tsx tests/e2e/sandbox-host.ts <dir>
 * Prints one JSON line `{"type":"ready", url, projectId, keyFile, tunnelHost}`; then reads commands
 * on stdin, one per line: `drop` (the tunnel service forgets every tunnel), answered `{"type":"ok"}`.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { startEmulator } from '../../src/main/emulator/emulator'
import { createRuntime } from '../../src/main/runtime/runtime'
import { generateKeyPair } from '../../src/main/stark/keys'
import { startHeadlessDashboard } from '../../src/main/web/headless-dashboard'
import { resolveLocalhostNames, startFakeLocaltunnel } from '../helpers/fake-localtunnel'
import { startTlsEmulator } from '../helpers/tls-emulator'

const dir = process.argv[2]
if (!dir) throw new Error('usage: sandbox-host.ts <dir>')

const say = (line: object): void => void process.stdout.write(`${JSON.stringify(line)}\n`)
const log = (line: string): void => void process.stderr.write(`${line}\n`)

async function main(): Promise<void> {
  resolveLocalhostNames()
  // "Stark's sandbox": its own emulator, at real speed as the real one (the sandbox clock is wall time).
  const stark = await startEmulator({ speed: 1, seed: 11 })
  const front = await startTlsEmulator(stark.port)
  const tunnels = await startFakeLocaltunnel()
  // The key pair a user would make and register in Stark's web console.
  const key = generateKeyPair()
  const projectId = stark.registerProject(key.publicPem)
  const keyFile = join(dir, 'privateKey.pem')
  await writeFile(keyFile, key.privatePem, { mode: 0o600 })

  const logger = { info: log, warn: log, error: log }
  const common = {
    realTime: () => Date.now(),
    logger,
    stopStepMs: 3_000,
    // Real seconds, shortened so that a drop heals within the test's patience.
    publicUrlTuning: {
      timing: { backoffBaseMs: 300, backoffMaxMs: 2_000, checkIntervalMs: 2_000 }
    }
  }
  const emulatorTarget = { kind: 'embedded' as const, speed: 60, deferClock: true }
  const runtime = createRuntime({ ...common, target: emulatorTarget, baseDir: dir })
  await runtime.start()
  const dashboard = await startHeadlessDashboard({
    runtime,
    speed: 60,
    log,
    baseDir: dir,
    emulatorTarget,
    publicUrl: { mode: 'off' },
    createRuntime: (options) =>
      createRuntime({
        ...common,
        ...options,
        target:
          options.target.kind === 'sandbox'
            ? { ...options.target, testTrust: front.trust() }
            : options.target
      })
  })
  say({ type: 'ready', url: dashboard.url, projectId, keyFile, tunnelHost: tunnels.host })

  const stop = async (): Promise<void> => {
    await dashboard.stop()
    await runtime.stop()
    await tunnels.close()
    await front.close()
    await stark.stop()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop())
  process.on('SIGTERM', () => void stop())
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === 'drop') {
      tunnels.drop()
      say({ type: 'ok', command: 'drop' })
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`sandbox host failed: ${String((error as Error).stack ?? error)}\n`)
  process.exit(1)
})
