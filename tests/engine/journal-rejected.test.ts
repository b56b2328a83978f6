/**
 * Rejected deliveries on the secret path are counted, and only a bounded sample is journaled
 * (findings, "Robustness": every one was journaled and kept in memory; a 300 MB journal took 1.09 GB
 * to open and a 587 MB one could not be opened at all).
 */
import { stat } from 'node:fs/promises'
import { Agent } from 'node:http'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { RejectedSampler, reasonKey } from '../../src/main/engine/rejected-sampler'
import type { JournalBody, JournalEntry } from '../../src/shared/journal'
import { startEngineEnv, type EngineEnv } from '../helpers/engine-env'
import { send } from '../helpers/http-send'

let env: EngineEnv | undefined
afterEach(async () => {
  await env?.cleanup()
  env = undefined
})

const MINUTE = 60_000

/** Fires `count` unsigned POSTs at the secret path, `concurrency` at a time, keep-alive. */
async function flood(url: string, count: number, concurrency = 32): Promise<Map<number, number>> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  const statuses = new Map<number, number>()
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++
      const reply = await send(url, { body: '{"event":{"id":"forged"}}', agent })
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  agent.destroy()
  return statuses
}

describe('rejected deliveries', () => {
  it('When 20,000 unsigned deliveries hit the secret path, Then all are counted, ten are journaled, and the journal stays small across a restart', async () => {
    // Arrange: one minute of wall time for the whole flood
    const wall = Date.UTC(2026, 0, 5, 12, 0, 30)
    env = await startEngineEnv({ engine: { realTime: () => wall } })
    const before = env.sim.snapshot().rejected.total
    const seqBefore = (await env.sim.entries({ limit: 1 })).entries[0]?.seq ?? 0

    // Act
    const statuses = await flood(env.sim.webhookUrl!, 20_000)
    await env.sim.idle()

    // Assert: every delivery refused and counted
    expect(before).toBe(0)
    expect([...statuses]).toEqual([[401, 20_000]])
    expect(env.sim.snapshot().rejected).toEqual({
      total: 20_000,
      byReason: { 'no Digital-Signature header': 20_000 }
    })
    // ... and the journal (memory and disk) grew by ten samples, not 20,000 entries (plus a
    // summary if the flood outlasted the minute's real-time timer)
    const { entries } = await env.sim.entries({ limit: 100 })
    const added = entries.filter((e) => e.seq > seqBefore)
    expect(added.every((e) => e.type === 'webhook.rejected' && e.runId === null)).toBe(true)
    expect(added.filter((e) => !('suppressed' in e))).toHaveLength(10)

    // Act: the minute's summary is written on stop; the counts survive the restart
    await env.restart()

    // Assert
    const file = join(env.stateDir, 'journal.ndjson')
    expect((await stat(file)).size).toBeLessThan(16 * 1024)
    expect(env.sim.snapshot().rejected.total).toBe(20_000)
    const rejected = (await env.sim.entries({ limit: 100, filter: { kinds: ['rejected'] } }))
      .entries
    const summaries = rejected.flatMap((e) =>
      e.type === 'webhook.rejected' && 'suppressed' in e ? [e] : []
    )
    expect(rejected.length).toBeLessThanOrEqual(12)
    expect(summaries.length).toBeGreaterThan(0)
    expect(summaries.reduce((sum, e) => sum + e.suppressed, 0)).toBe(19_990)
    for (const summary of summaries) {
      expect(summary).toMatchObject({
        byReason: { 'no Digital-Signature header': summary.suppressed },
        from: Math.floor(wall / MINUTE) * MINUTE
      })
    }
  }, 120_000)

  it('When rejections keep coming for ten minutes, Then each minute journals at most ten and one summary, and the totals stay exact', () => {
    // Arrange
    let now = Date.UTC(2026, 0, 5, 12) - 30
    const journaled: JournalBody[] = []
    let seq = 0
    // As the simulator wires it: what it appends is folded back into its counts.
    const counted: RejectedSampler = new RejectedSampler(
      (body) => {
        journaled.push(body)
        counted.fold({ ...body, v: 2, seq: ++seq, at: now, wall: now, runId: null } as JournalEntry)
      },
      () => now
    )

    // Act: 2,000 a minute, with reasons that carry details
    for (let i = 0; i < 20_000; i++) {
      now += 30
      counted.reject({
        reason: i % 2 ? `body is not JSON: Unexpected token ${i} in JSON` : 'empty body',
        status: 400,
        bytes: i,
        preview: ''
      })
    }
    counted.flush()

    // Assert
    const samples = journaled.filter((b) => b.type === 'webhook.rejected' && !('suppressed' in b))
    const summaries = journaled.filter((b) => b.type === 'webhook.rejected' && 'suppressed' in b)
    expect(samples).toHaveLength(100)
    expect(summaries).toHaveLength(10)
    expect(counted.totals()).toEqual({
      total: 20_000,
      byReason: { 'empty body': 10_000, 'body is not JSON': 10_000 }
    })
  })

  it('When reasons are endless variations, Then the counts by reason stay small', () => {
    let now = 0
    const sampler: RejectedSampler = new RejectedSampler(
      (body) =>
        sampler.fold({ ...body, v: 2, seq: 1, at: 0, wall: 0, runId: null } as JournalEntry),
      () => now++,
      { maxReasons: 20 }
    )

    for (let i = 0; i < 5_000; i++)
      sampler.reject({
        reason: `method M${'X'.repeat(i % 300)} is not POST`,
        status: 405,
        bytes: 0,
        preview: ''
      })

    const { total, byReason } = sampler.totals()
    expect(total).toBe(5_000)
    expect(Object.keys(byReason).length).toBeLessThanOrEqual(21)
    expect(byReason.other).toBeGreaterThan(0)
    expect(reasonKey('body of 123456 bytes exceeds the 65536-byte limit')).toBe(
      'body of N bytes exceeds the N-byte limit'
    )
  })
})
