/**
 * End to end through the CLI (`npm run headless`, embedded emulator with its state file): a full
 * default run (8 batches every 3 h, 2 h settle) at `--speed max` and at `--speed 20000`. Every batch
 * is on time (`late: false`, its invoices recorded at exactly its planned emulator time), and one seed
 * tells one story: the same summary, and the same invoices, payments, credits and transfers at the
 * same emulator times (relative to the run's start), twice at max and once at 20000.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { killAllChildren, runHeadless, type JsonLine } from '../helpers/cli-process'

const SEED = '7'
const RUN_LIMIT_MS = 180_000

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ssim-schedule-'))
})
afterAll(async () => {
  await killAllChildren()
  await rm(dir, { recursive: true, force: true })
})

interface Outcome {
  lines: JsonLine[]
  summary: JsonLine
  /** Invoice, batch and transfer entries without ids of the run or wall times, `at` from the start. */
  story: JsonLine[]
}

async function fullRun(speed: string, name: string): Promise<Outcome> {
  const child = runHeadless([
    ...['--speed', speed, '--seed', SEED, '--json'],
    ...['--state-dir', join(dir, name)]
  ])
  const exit = await child.waitForExit(RUN_LIMIT_MS)
  expect(exit, child.describe()).toEqual({ code: 0, signal: null })
  const lines = child.json()
  const last = lines[lines.length - 1] as JsonLine
  expect(last, child.describe()).toMatchObject({ type: 'summary', ok: true, batches: 8 })
  // A run id is random by design; the story is everything else.
  const summary: JsonLine = { ...last }
  delete summary.runId
  const started = lines.find((l) => l.type === 'run.started') as JsonLine
  const startedAt = started.startedAt as number
  const story = lines
    .filter((l) => /^(invoice|transfer|batch)\./.test(l.type ?? ''))
    .map((l) => {
      const rest: JsonLine = { ...l }
      for (const key of ['seq', 'runId', 'wall', 'at', 'dueAt']) delete rest[key]
      const { at, dueAt } = l
      return {
        ...rest,
        at: (at as number) - startedAt,
        ...(dueAt === undefined ? {} : { dueAt: (dueAt as number) - startedAt })
      }
    })
  return { lines, summary, story }
}

/** Every batch on time: not late, and its invoices recorded at exactly its planned time. */
function expectOnTime({ lines }: Outcome): void {
  const started = lines.find((l) => l.type === 'run.started') as JsonLine
  const startedAt = started.startedAt as number
  const issued = lines.filter((l) => l.type === 'batch.issued')
  expect(issued.map((l) => [l.batch, l.late])).toEqual(
    [0, 1, 2, 3, 4, 5, 6, 7].map((k) => [`b${k}`, false])
  )
  for (const [k, batch] of issued.entries()) {
    const planned = startedAt + k * 3 * 3_600_000
    const issuing = lines.find((l) => l.type === 'batch.issuing' && l.batch === batch.batch)
    expect(issuing?.dueAt).toBe(planned)
    const created = lines.filter((l) => l.type === 'invoice.created' && l.batch === batch.batch)
    expect(created.length).toBe((batch.invoiceIds as string[]).length)
    expect(new Set(created.map((l) => l.at))).toEqual(new Set([planned]))
  }
}

describe('time compression that keeps the schedule', () => {
  it(
    'When a full default run goes at --speed max twice and at --speed 20000 with one seed, Then no batch is late and all three tell the same story',
    async () => {
      const first = await fullRun('max', 'max-1')
      expectOnTime(first)
      expect(first.summary.credited).toBeGreaterThan(0)
      expect(first.summary.transfersSucceeded).toBe(first.summary.credited)

      const second = await fullRun('max', 'max-2')
      expectOnTime(second)
      expect(second.summary).toEqual(first.summary)
      expect(second.story).toEqual(first.story)

      const fixed = await fullRun('20000', 'fixed')
      expectOnTime(fixed)
      expect(fixed.summary).toEqual(first.summary)
      expect(fixed.story).toEqual(first.story)
    },
    3 * RUN_LIMIT_MS + 30_000
  )
})
