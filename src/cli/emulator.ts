/**
 * `npm run emulator -- --port P --speed N|max --state-file F [--seed S] [--json]`
 * Runs the Stark Bank sandbox emulator on its own. With --json it prints one line
 * `{"url": ..., "publicKey": ...}` when ready, for tools that start it as a child process.
 */
import { parseArgs } from 'node:util'
import { startEmulator } from '../main/emulator/emulator'
import type { ClockSpeed } from '../main/time/clock'
import { describeSpeed, MAX_NUMERIC_SPEED, parseSpeed } from '../main/time/speed'

const USAGE = `Usage: npm run emulator -- [--port P] [--speed N|max] [--state-file F] [--seed S] [--json]
  --port        TCP port on 127.0.0.1 (default 0: any free port)
  --speed       emulator seconds per real second (default 1; 1440 runs a day per minute),
                or max: each scheduled step as soon as the one before it is done
  --state-file  keep state in this file and continue from it on the next start
  --seed        seed for the sandbox's random choices (payment delays, ids)
  --json        print one JSON line {"url","publicKey"} when ready`

/**
 * `npm run emulator` starts this process through `sh -c`, and npm forwards SIGTERM and SIGINT to
 * that shell only. A shell killed by SIGTERM does not pass it on, and this process would run on
 * with nobody left to stop it: so when the shell npm started it in is gone, it stops as if
 * signalled. (npm runs it with node directly, not the tsx launcher, so that shell is the parent.)
 */
function stopWithLauncher(stop: () => void): void {
  if (process.env.npm_lifecycle_event !== 'emulator' || process.platform === 'win32') return
  const launcher = process.ppid
  const watch = setInterval(() => {
    if (process.ppid !== launcher) stop()
  }, 500)
  watch.unref()
}

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`)
  process.exit(2)
}

function number(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value < 0)
    fail(`--${name} must be a non-negative number, got "${raw}"`)
  return value
}

function speed(raw: string | undefined): ClockSpeed {
  if (raw === undefined) return 1
  const value = parseSpeed(raw)
  if (value === undefined)
    fail(
      `--speed must be a non-negative number (at most ${MAX_NUMERIC_SPEED}) or max, got "${raw}"`
    )
  return value
}

async function main(): Promise<void> {
  let values
  try {
    ;({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        speed: { type: 'string' },
        'state-file': { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false }
      }
    }))
  } catch (error) {
    fail((error as Error).message)
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  // Signal handlers go in before the ready line: a parent that stops us as soon as it reads the
  // line must reach our handler (a SIGINT before it would kill the process without saving state).
  let stopRequested = false
  let stop = (): void => {
    stopRequested = true
  }
  process.on('SIGINT', () => stop())
  process.on('SIGTERM', () => stop())
  stopWithLauncher(() => stop())
  const emulator = await startEmulator({
    port: number('port', values.port, 0),
    speed: speed(values.speed),
    // Engines in other processes copy this clock: at a numeric speed it must follow the wall clock.
    gatedClock: false,
    stateFile: values['state-file'],
    seed: values.seed === undefined ? undefined : number('seed', values.seed, 0),
    log: (line) => process.stderr.write(`${line}\n`)
  })
  let stopping = false
  stop = (): void => {
    if (stopping) return
    stopping = true
    emulator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`emulator: failed to stop cleanly: ${String(error)}\n`)
        process.exit(1)
      }
    )
  }
  if (stopRequested) stop()
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ url: emulator.url, publicKey: emulator.publicKey })}\n`
    )
  } else {
    process.stdout.write(
      `Stark Bank sandbox emulator listening on ${emulator.url} (speed ${describeSpeed(emulator.clock.speed)})\n` +
        `Register a project: POST ${emulator.url}/_emulator/projects {"publicKey": "<PEM>"}\n` +
        'Press Ctrl-C to stop.\n'
    )
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`emulator: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
