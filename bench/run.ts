/**
 * `npm run bench`: the performance figures of issue #3 from one invocation, everything on
 * 127.0.0.1 with bounded loops. Prints a table and one verdict line per target, and writes every
 * figure to bench/results/latest.json. Exits 0 when the measurements ran (whatever the verdicts: it
 * is a benchmark, not a test; the verdicts are in the output and the JSON), 2 when one of them broke.
 *
 * Options: --requests N (5000) --parse-requests N (1000) --concurrency N (32) --rounds N (10)
 *          --speeds a,b,c (20000,200000,2000000) --slow-requests N (2000) --out FILE
 */
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { measureDeliveries } from './deliveries'
import { measureFullRun, type FullRunFigures } from './full-run'
import { measureLatency } from './latency'
import { measureUnderSlowSockets } from './slow-sockets'
import { startLoadClient } from './load'
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
      'slow-requests': { type: 'string', default: '2000' },
      out: { type: 'string', default: join(__dirname, 'results', 'latest.json') }
    }
  })
  const requests = positive('requests', values.requests)
  const parseRequests = positive('parse-requests', values['parse-requests'])
  const concurrency = positive('concurrency', values.concurrency)
  const rounds = positive('rounds', values.rounds)
  const speeds = values.speeds.split(',').map((s) => positive('speeds', s.trim()))
  const slowRequests = positive('slow-requests', values['slow-requests'])
  const progress = (line: string): boolean => process.stderr.write(`bench: ${line}\n`)

  const startedAt = new Date().toISOString()
  const machine = machineInfo()

  progress(
    `1/3 deliveries: ${requests} to the webhook server, ${parseRequests} to the event.parse handler`
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

  progress('2/3 latency: credited event -> transfer request')
  const latency = await measureLatency({
    speed: 120,
    batches: 10,
    invoicesPerBatch: 12,
    intervalMs: 60_000,
    timeoutMs: 60_000
  })

  const fullRuns: FullRunFigures[] = []
  for (const speed of speeds) {
    progress(`3/3 full default run at speed ${speed}`)
    fullRuns.push(await measureFullRun(speed, 120_000))
  }
  const maxSpeedRun = fastestCorrect(fullRuns)

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
    verdicts: verdictsOf(deliveries, fullRuns, maxSpeedRun, slowSockets)
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
