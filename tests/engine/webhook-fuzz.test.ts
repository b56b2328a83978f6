/**
 * Webhook fuzzing against the real engine: no webhook is registered at the emulator, so this test is
 * the only deliverer (catch-up is pushed out of reach too). Thousands of deliveries mix genuine
 * bodies (each several times, in shuffled order) with tampered, spliced, truncated, forged, badly
 * signed, oversized, misaddressed and non-POST ones. Whatever arrives first, Stark must end with
 * exactly one transfer of amount − fee per credited invoice of the run, and nothing else.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { Invoice, StarkEvent, Transfer } from '../../src/main/emulator/types'
import { createRng } from '../../src/main/time/rng'
import { startEngineEnv, type EngineEnv } from '../helpers/engine-env'
import {
  attackerKey,
  EXPECTED,
  fire,
  genuine,
  mix,
  type Genuine,
  type Outcome
} from '../helpers/fuzz-deliveries'
import { collectAll } from '../../src/main/stark/client'

const HOUR = 3_600_000
const TOTAL = 3_000
const COPIES = 5

let env: EngineEnv | undefined
afterEach(async () => {
  await env?.cleanup()
  env = undefined
})

/** The events Stark holds, as webhook bodies signed with its key (no `isDelivered`, as sent). */
function genuineEvents(e: EngineEnv, subscription: string): Genuine[] {
  const key = e.emulator.core.state.signingKey.privatePem
  return Object.values(e.emulator.core.state.events)
    .filter((event) => event.subscription === subscription)
    .map(({ isDelivered: _ignored, ...event }: StarkEvent) =>
      genuine(event as unknown as Genuine['event'], key)
    )
}

const subject = (g: Genuine): Invoice & Transfer =>
  (g.event.log.invoice ?? g.event.log.transfer) as Invoice & Transfer

/** Every answer is the one its kind deserves; oversized bodies may also see the socket cut. */
function expectAnswers(outcomes: Outcome[]): void {
  const wrong = outcomes.filter(({ delivery, status }) => {
    if (status === EXPECTED[delivery.kind]) return false
    return !(status === 'reset' && delivery.kind.startsWith('oversized'))
  })
  expect(wrong.map((o) => `${o.delivery.kind} → ${o.status}`)).toEqual([])
  for (const o of outcomes.filter((x) => x.delivery.kind === 'genuine'))
    expect(['recorded', 'duplicate', 'ignored']).toContain(o.result)
}

describe('webhook fuzzing', () => {
  it('When thousands of valid, duplicated, reordered, tampered, truncated and oversized deliveries arrive, Then each credited invoice gets exactly one correct transfer and nothing else acts', async () => {
    env = await startEngineEnv({
      register: false,
      seed: 11,
      behaviour: { autoPayRatio: 1, payDelaySeconds: [120, 600] },
      engine: { catchUpIntervalMs: 365 * 24 * HOUR }
    })
    const e = env
    const rng = createRng(7)
    const attacker = attackerKey()
    const starkKeyPem = e.emulator.core.state.signingKey.privatePem

    // Another app's invoice in the same workspace: genuinely signed events, never ours to act on.
    const [foreign] = await e.sdk.invoice.create([
      new e.sdk.Invoice({ amount: 70_000, name: 'Outra Empresa', taxId: '012.345.678-90' })
    ])
    const { runId } = await e.sim.startRun({
      batches: 2,
      intervalMs: 3 * HOUR,
      settleMs: 48 * HOUR
    })
    await e.emulator.clock.advance(4 * HOUR)
    // Issued last, so still unpaid during the fuzzing: a forged "credited" for it must not pay out.
    const { invoiceId: unpaidId } = await e.sim.issueInvoice()

    const invoiceEvents = genuineEvents(e, 'invoice')
    const runTag = `ssim-${runId}`
    const runInvoices = Object.values(e.emulator.core.state.invoices).filter((i) =>
      i.tags.includes(runTag)
    )
    const credited = invoiceEvents.filter(
      (g) => g.event.log.type === 'credited' && subject(g).tags.includes(runTag)
    )
    expect(runInvoices.length).toBeGreaterThanOrEqual(17)
    expect(credited).toHaveLength(runInvoices.length - 1)
    expect(invoiceEvents.filter((g) => subject(g).id === foreign!.id)).toHaveLength(3)

    const started = Date.now()
    const round1 = mix({
      genuine: invoiceEvents,
      copies: COPIES,
      credited,
      forgeLogs: invoiceEvents
        .filter((g) => subject(g).tags.includes(runTag) || subject(g).id === foreign!.id)
        .map((g) => g.event.log),
      forgeType: 'credited',
      total: TOTAL,
      rng,
      attacker,
      starkKeyPem
    })
    const outcomes = await fire(e.sim.webhookUrl!, round1, {
      concurrency: 16,
      deadline: started + 30_000
    })
    expectAnswers(outcomes)
    expect(outcomes.length).toBeGreaterThan(TOTAL / 2)
    const kinds = new Set(outcomes.map((o) => o.delivery.kind))
    expect(kinds.size).toBe(Object.keys(EXPECTED).length)
    expect(outcomes.filter((o) => o.status === 413).length).toBeGreaterThan(0)
    await e.sim.idle()

    // Transfers settle at Stark; their events go through the same fuzzing, forged "failed" included.
    await e.emulator.clock.advance(60_000)
    const transferEvents = genuineEvents(e, 'transfer')
    expect(transferEvents.length).toBeGreaterThan(0)
    const round2 = mix({
      genuine: transferEvents,
      copies: 3,
      credited: transferEvents.filter((g) => g.event.log.type === 'success'),
      forgeLogs: transferEvents.map((g) => g.event.log),
      forgeType: 'failed',
      total: transferEvents.length * 6,
      rng,
      attacker,
      starkKeyPem
    })
    const outcomes2 = await fire(e.sim.webhookUrl!, round2, {
      concurrency: 16,
      deadline: Date.now() + 10_000
    })
    expectAnswers(outcomes2)
    await e.sim.idle()
    const all = [...outcomes, ...outcomes2]

    // At Stark: exactly one transfer of amount − fee per credited invoice of the run, and no other.
    const report = await e.sim.verify()
    expect(report.problems).toEqual([])
    expect(report.ok).toBe(true)
    const transfers = await collectAll<Transfer>(e.sdk.transfer.query({}))
    const byInvoice = new Map<string, Transfer[]>()
    for (const t of transfers) {
      const tag = t.tags.find((x) => x.startsWith('ssim-inv-')) ?? 'untagged'
      byInvoice.set(tag, [...(byInvoice.get(tag) ?? []), t])
    }
    expect(transfers).toHaveLength(credited.length)
    for (const g of credited) {
      const invoice = subject(g)
      const sent = byInvoice.get(`ssim-inv-${invoice.id}`) ?? []
      expect(sent.map((t) => [t.amount, t.status])).toEqual([
        [invoice.amount - invoice.fee, 'success']
      ])
    }
    expect(byInvoice.has(`ssim-inv-${foreign!.id}`)).toBe(false)
    expect(byInvoice.has(`ssim-inv-${unpaidId}`)).toBe(false)
    expect((await e.sdk.invoice.get(unpaidId)).status).toBe('created')

    // In the journal: every refusal, every duplicate, each real event once, no forged one.
    const entries = e.entries
    // Requests without the secret path, or not POST, are counted by the server, never journaled.
    const strangers = new Set(['wrong-path', 'get'])
    const rejected = all.filter(
      (o) => o.delivery.kind !== 'genuine' && !strangers.has(o.delivery.kind)
    )
    // Every refusal is counted; only a sample of at most 10 a minute (wall time) is journaled.
    expect(e.sim.snapshot().rejected.total).toBe(rejected.length)
    const samples = entries.filter((x) => x.type === 'webhook.rejected' && !('suppressed' in x))
    const minutes = new Set(samples.map((x) => Math.floor(x.wall / 60_000)))
    expect(samples.length).toBeGreaterThan(0)
    expect(samples.length).toBeLessThanOrEqual(10 * minutes.size)
    expect(all.some((o) => strangers.has(o.delivery.kind))).toBe(true)
    const received = entries.flatMap((x) =>
      x.type === 'event.received' && x.source === 'webhook' ? [x] : []
    )
    const genuineSent = all.filter((o) => o.delivery.kind === 'genuine')
    const distinct = new Set(genuineSent.map((o) => o.delivery.eventId))
    expect(distinct.size).toBe(invoiceEvents.length + transferEvents.length)
    const firsts = received.filter((x) => x.verdict !== 'duplicate')
    expect(firsts.map((x) => x.eventId).sort()).toEqual([...distinct].sort())
    expect(received.filter((x) => x.verdict === 'duplicate')).toHaveLength(
      genuineSent.length - distinct.size
    )
    const forgedIds = new Set(all.flatMap((o) => o.delivery.forgedId ?? []))
    expect(received.filter((x) => forgedIds.has(x.eventId))).toEqual([])
    const credits = entries.flatMap((x) => (x.type === 'invoice.credited' ? [x] : []))
    expect(credits.map((x) => [x.invoiceId, x.amount, x.fee]).sort()).toEqual(
      credited.map((g) => [subject(g).id, subject(g).amount, subject(g).fee]).sort()
    )
    const snapshot = e.sim.snapshot()
    expect(snapshot.totals.transfersSucceeded).toBe(credited.length)
    expect(snapshot.totals.transfersFailed).toBe(0)
  }, 90_000)
})
