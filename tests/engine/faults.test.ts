/**
 * Runs against an emulator that misbehaves the way Stark may: webhooks delivered twice, out of order
 * or not at all (until a retry or catch-up), and API calls answering 500 before or after doing the
 * work. The run must still end with exactly one successful transfer per credited invoice, checked at
 * the emulator, and the engine must have gone through its recovery paths to get there.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { faultsSchema, NO_FAULTS, type Faults } from '../../src/main/emulator/config'
import type { Transfer } from '../../src/main/emulator/types'
import type { JournalEntry } from '../../src/shared/journal'
import type { PlanInput } from '../../src/shared/plan'
import { startEngineEnv, type EngineEnv } from '../helpers/engine-env'
import { collectAll } from '../../src/main/stark/client'

const HOUR = 3_600_000
/**
 * Many small batches: each one whose creation fails after Stark did the work is a chance for the
 * batch recovery to run, so with 32 of them its absence would be a bug, not bad luck.
 */
const SMALL_BATCHES = { batches: 32, intervalMs: HOUR / 3, minInvoices: 1, maxInvoices: 2 }

let env: EngineEnv | undefined
afterEach(async () => {
  await env?.cleanup()
  env = undefined
})

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Starts clean (registration must not fail), turns the faults on for the run, waits for its end. */
async function runWithFaults(
  seed: number,
  faults: Partial<Faults>,
  plan: PlanInput = {}
): Promise<EngineEnv> {
  const e = await startEngineEnv({ speed: 20_000, seed })
  env = e
  e.emulator.core.faults = faultsSchema.parse(faults)
  const { runId } = await e.sim.startRun(plan)
  await withTimeout(e.completed, 90_000, `run ${runId} did not complete in 90 s`)
  // The checks below ask Stark through the API: they must not meet the faults themselves.
  e.emulator.core.faults = NO_FAULTS
  await e.sim.idle()
  return e
}

/** Every credited invoice of the run has exactly one transfer at Stark, successful, of amount − fee. */
async function expectExactlyOnce(e: EngineEnv): Promise<number> {
  const report = await e.sim.verify()
  expect(report.problems).toEqual([])
  expect(report.ok).toBe(true)

  const runTag = `ssim-${e.sim.snapshot().run!.runId}`
  const credited = Object.values(e.emulator.core.state.invoiceLogs).filter(
    (log) => log.type === 'credited' && log.invoice.tags.includes(runTag)
  )
  const transfers = await collectAll<Transfer>(e.sdk.transfer.query({ tags: [runTag] }))
  const byInvoice = new Map<string, Transfer[]>()
  for (const t of transfers) {
    const tag = t.tags.find((x) => x.startsWith('ssim-inv-')) ?? 'untagged'
    byInvoice.set(tag, [...(byInvoice.get(tag) ?? []), t])
  }
  expect(credited.length).toBeGreaterThan(0)
  expect(transfers.filter((t) => t.status === 'success')).toHaveLength(credited.length)
  expect(byInvoice.size).toBe(credited.length)
  for (const { invoice } of credited) {
    const sent = byInvoice.get(`ssim-inv-${invoice.id}`) ?? []
    expect(sent.map((t) => [t.amount, t.status])).toEqual([
      [invoice.amount - invoice.fee, 'success']
    ])
  }
  const snapshot = e.sim.snapshot()
  expect(snapshot.run!.completed).toBe(true)
  expect(snapshot.totals.credited).toBe(credited.length)
  expect(snapshot.totals.transfersSucceeded).toBe(credited.length)
  return credited.length
}

const ofType = <T extends JournalEntry['type']>(entries: JournalEntry[], type: T) =>
  entries.filter((x): x is Extract<JournalEntry, { type: T }> => x.type === type)

describe('emulator faults', () => {
  it('When deliveries are duplicated, shuffled and dropped and the API fails 15% of calls during a default run, Then every credited invoice still gets exactly one transfer', async () => {
    const e = await runWithFaults(5, {
      duplicateDeliveries: 0.3,
      shuffleWindowMs: 20,
      dropDeliveries: 0.2,
      apiErrorRate: 0.15
    })
    await expectExactlyOnce(e)

    const received = ofType(e.entries, 'event.received')
    expect(received.some((x) => x.verdict === 'duplicate' && x.source === 'webhook')).toBe(true)
    // Dropped deliveries left attempts at Stark; the retries or catch-up made up for them.
    expect(Object.keys(e.emulator.core.state.attempts).length).toBeGreaterThan(0)
    expect(
      ofType(e.entries, 'transfer.error').length + ofType(e.entries, 'batch.error').length
    ).toBeGreaterThan(0)
  }, 120_000)

  it('When 40% of API calls answer 500, Then the outbox and the batch recovery resolve every unknown outcome without a second transfer', async () => {
    const e = await runWithFaults(8, { apiErrorRate: 0.4 }, SMALL_BATCHES)
    await expectExactlyOnce(e)

    const errors = ofType(e.entries, 'transfer.error')
    expect(errors.some((x) => x.outcome === 'unknown')).toBe(true)
    expect(errors.every((x) => x.outcome === 'unknown')).toBe(true)
    const recoveredTransfers = ofType(e.entries, 'transfer.sent').filter((x) => x.recovered)
    const recoveredBatches = ofType(e.entries, 'batch.issued').filter((x) => x.recovered)
    expect(recoveredTransfers.length).toBeGreaterThan(0)
    expect(recoveredBatches.length).toBeGreaterThan(0)
    // The planned batches were issued once each, whatever the failures.
    const issued = ofType(e.entries, 'batch.issued').map((x) => x.batch)
    expect(issued.sort()).toEqual(Array.from({ length: 32 }, (_, k) => `b${k}`).sort())
  }, 120_000)

  it('When every transfer answer is lost and its success events arrive before the lookup finds it, Then the run still completes', async () => {
    // Regression: the recovered `transfer.sent` carries the final status (from events that came
    // before the transfer id was known), so it alone must be enough to complete the run.
    let lookups = false
    const lost = (): Error => Object.assign(new Error('answer lost'), { status: 500 })
    const e = await startEngineEnv({
      seed: 4,
      behaviour: { autoPayRatio: 1 },
      wrapStark: (stark) => ({
        ...stark,
        async createTransfer(transfer) {
          await stark.createTransfer(transfer)
          throw lost()
        },
        async transfersByTag(tag) {
          if (!lookups) throw lost()
          return stark.transfersByTag(tag)
        }
      })
    })
    env = e
    await e.sim.startRun({ batches: 1, minInvoices: 3, maxInvoices: 3, settleMs: HOUR })
    await e.emulator.clock.advance(20 * 60_000)
    await e.sim.idle()
    // Past the settle window: Stark says success, we still do not know the transfers' ids.
    await e.emulator.clock.advance(2 * HOUR)
    await e.sim.idle()
    expect(ofType(e.entries, 'transfer.status').filter((x) => x.status === 'success')).toHaveLength(
      3
    )
    expect(ofType(e.entries, 'transfer.sent')).toHaveLength(0)
    expect(ofType(e.entries, 'run.completed')).toHaveLength(0)

    lookups = true
    await e.emulator.clock.advance(15 * 60_000)
    await e.sim.idle()
    const sent = ofType(e.entries, 'transfer.sent')
    expect(sent.map((x) => x.recovered)).toEqual([true, true, true])
    await expect(withTimeout(e.completed, 5_000, 'the run did not complete')).resolves.toBe(
      undefined
    )
    await expectExactlyOnce(e)
  })
})
