/**
 * `npm run bench`: the performance figures of issue #3 from one invocation, everything on
 * 127.0.0.1 with bounded loops. Prints a table and one verdict line per target, and writes every
 * figure to bench/results/latest.json. Exits 0 when the measurements ran (whatever the verdicts: it
 * is a benchmark, not a test; the verdicts are in the output and the JSON), 2 when one of them broke.
 *
 * Options: --requests N (5000) --parse-requests N (1000) --concurrency N (32) --rounds N (10)
 *          --speeds a,b,c (20000,200000,2000000) --cli-speeds a,b (max,20000)
 *          --journal-entries N (100000) --slow-requests N (2000) --out FILE
 *          --scale-sizes a,b,c (80,320,1280) --scale-speed N|max (max) --scale-interval-minutes N (30)
 *          --scale-only: only the scale part (issue 7)
 *          --cli-only: only the CLI's full runs at --cli-speeds, --cli-rounds N (3) interleaved
 */
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { measureCliRun } from './cli-full-run'
import { measureCliRounds, renderCliRounds } from './cli-runs'
import { measureDeliveries } from './deliveries'
import { measureFullRun, type FullRunFigures } from './full-run'
import { measureJournalOpen } from './journal-open'
import { measureLatency } from './latency'
import { measureUnderSlowSockets } from './slow-sockets'
import { startLoadClient } from './load'
import { measureScale } from './scale'
import { renderScale } from './scale-report'
import {
  fastestCorrect,
  machineInfo,
  render,
  verdictsOf,
  writeResults,
  type BenchResults
} from './report'

function positive(name: string, value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer`)
  return n
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string', default: '5000' },
      'parse-requests': { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '32' },
      rounds: { type: 'string', default: '10' },
      speeds: { type: 'string', default: '20000,200000,2000000' },
      'cli-speeds': { type: 'string', default: 'max,20000' },
      'journal-entries': { type: 'string', default: '100000' },
      'scale-sizes': { type: 'string', default: '80,320,1280' },
      'scale-speed': { type: 'string', default: 'max' },
      'scale-interval-minutes': { type: 'string', default: '30' },
      'scale-only': { type: 'boolean', default: false },
      'cli-only': { type: 'boolean', default: false },
      'cli-rounds': { type: 'string', default: '3' },
      'slow-requests': { type: 'string', default: '2000' },
      out: { type: 'string', default: join(__dirname, 'results', 'latest.json') }
    }
  })
  const requests = positive('requests', values.requests)
  const parseRequests = positive('parse-requests', values['parse-requests'])
  const concurrency = positive('concurrency', values.concurrency)
  const rounds = positive('rounds', values.rounds)
  const speeds = values.speeds.split(',').map((s) => positive('speeds', s.trim()))
  const cliSpeeds = values['cli-speeds'].split(',').map((s) => {
    const speed = s.trim()
    if (speed !== 'max') positive('cli-speeds', speed)
    return speed
  })
  const journalEntries = positive('journal-entries', values['journal-entries'])
  const slowRequests = positive('slow-requests', values['slow-requests'])
  const progress = (line: string): boolean => process.stderr.write(`bench: ${line}\n`)
  const scaleOptions = {
    sizes: values['scale-sizes'].split(',').map((s) => {
      const n = positive('scale-sizes', s.trim())
      if (n % 10 !== 0) throw new Error('--scale-sizes must be multiples of 10 (batches of 10)')
      return n
    }),
    speed: values['scale-speed'],
    intervalMinutes: positive('scale-interval-minutes', values['scale-interval-minutes']),
    progress
  }
  if (values['cli-only']) {
    const rounds = positive('cli-rounds', values['cli-rounds'])
    const cli = await measureCliRounds({ speeds: cliSpeeds, rounds, seed: 3, progress })
    await writeResults(values.out, { startedAt: new Date().toISOString(), cli } as never)
    process.stdout.write(`\n${renderCliRounds(cli)}\n\nwritten to ${values.out}\n`)
    return
  }
  if (values['scale-only']) {
    const scale = await measureScale(scaleOptions)
    await writeResults(values.out, { startedAt: new Date().toISOString(), scale } as never)
    process.stdout.write(`\n${renderScale(scale)}\n\nwritten to ${values.out}\n`)
    return
  }

  const startedAt = new Date().toISOString()
  const machine = machineInfo()

  progress(
    `deliveries: ${requests} to the webhook server, ${parseRequests} to the event.parse handler`
  )
  const client = await startLoadClient()
  let deliveries
  let slowSockets
  try {
    deliveries = await measureDeliveries(client, {
      requests,
      parseRequests,
      warmup: 1000,
      concurrency,
      rounds
    })
    progress(`1b/3 deliveries while 256 slow-header sockets are open, next to none`)
    slowSockets = await measureUnderSlowSockets(client, {
      requests: slowRequests,
      rounds: 4,
      concurrency,
      slowSockets: 256
    })
  } finally {
    client.close()
  }

  progress('latency: credited event -> transfer request')
  const latency = await measureLatency({
    speed: 120,
    batches: 10,
    invoicesPerBatch: 12,
    intervalMs: 60_000,
    timeoutMs: 60_000
  })

  const fullRuns: FullRunFigures[] = []
  for (const speed of speeds) {
    progress(`full default run at speed ${speed}`)
    fullRuns.push(await measureFullRun(speed, 120_000))
  }
  const maxSpeedRun = fastestCorrect(fullRuns)

  const cliRuns = []
  for (const speed of cliSpeeds) {
    progress(`the CLI's full default run at --speed ${speed} (embedded emulator, state file)`)
    cliRuns.push(await measureCliRun(speed, 3, 300_000))
  }
  progress(`opening a ${journalEntries}-entry journal, next to the previous release's way`)
  const journalOpen = await measureJournalOpen(journalEntries)

  const scale = await measureScale(scaleOptions)

  const results: BenchResults = {
    startedAt,
    machine: {
      ...machine,
      loadAverageAfter: loadavg().map((n) => Math.round(n * 100) / 100)
    },
    deliveries,
    slowSockets,
    latency,
    fullRuns,
    maxSpeedRun,
    cliRuns,
    journalOpen,
    scale,
    verdicts: verdictsOf(
      deliveries,
      fullRuns,
      maxSpeedRun,
      slowSockets,
      cliRuns,
      journalOpen,
      scale
    )
  }
  await writeResults(values.out, results)
  process.stdout.write(`\n${render(results)}\n\nwritten to ${values.out}\n`)
}

main().then(
  // Exit at once: the in-process emulator and engine are stopped, and their sockets need no drain.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`)
    process.exit(2)
  }
)
