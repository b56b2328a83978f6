// @vitest-environment node
/**
 * The feed the front ends read the journal through (the facade's own subscribe, entries and
 * lastSeq, as legacy/live.ts hands them on): a subscriber hears every entry after the seq it names
 * (what was on disk before, then live), in order, once; one that throws (a closed window) is
 * detached without reaching the engine, whose commands keep working.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { JournalFeed } from '../../src/main/app/ports'
import type { Simulator } from '../../src/main/engine/simulator'
import type { JournalEntry } from '../../src/shared/journal'
import { startEngineEnv, type EngineEnv } from '../helpers/engine-env'

const feedOf = (sim: Simulator): JournalFeed & { close(): void } => ({
  subscribe: (from, onBatch) => sim.subscribe(from, onBatch),
  entries: (query) => sim.entries(query),
  lastSeq: () => sim.lastSeq,
  close: () => undefined
})

const until = async (check: () => boolean, ms = 10_000): Promise<void> => {
  const end = performance.now() + ms
  while (!check()) {
    if (performance.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('legacy journal feed', () => {
  let env: EngineEnv
  const failures: string[] = []
  beforeEach(async () => {
    failures.length = 0
    env = await startEngineEnv({
      engine: {
        logger: { info: () => undefined, warn: () => undefined, error: (m) => failures.push(m) }
      }
    })
  })
  afterEach(() => env.cleanup())

  it('When subscribing after a seq over a journal with history, Then it hears the rest of the history, then live entries, each once', async () => {
    await env.sim.startRun({ batches: 2, minInvoices: 1, maxInvoices: 1 })
    await env.sim.idle()
    const history = env.entries.length
    // A new feed on a journal that already holds entries: they come from the file.
    const feed = feedOf(env.sim)
    const heard: JournalEntry[] = []
    feed.subscribe({ afterSeq: 2 }, (batch) => heard.push(...batch))

    await env.sim.issueInvoice({ name: 'Ana', amount: 1000 })
    await env.sim.idle()
    await until(() => heard.at(-1)?.seq === env.entries.at(-1)?.seq)

    expect(history).toBeGreaterThan(2)
    expect(heard.map((e) => e.seq)).toEqual(env.entries.slice(2).map((e) => e.seq))
    expect(feed.lastSeq()).toBe(env.entries.at(-1)?.seq)
    feed.close()
  })

  it('When a subscriber throws, Then it is detached, the engine goes on, and other subscribers still hear', async () => {
    const feed = feedOf(env.sim)
    let thrown = 0
    const heard: number[] = []
    feed.subscribe({ afterSeq: 0 }, () => {
      thrown++
      throw new Error('Object has been destroyed')
    })
    feed.subscribe({ afterSeq: 0 }, (batch) => heard.push(...batch.map((e) => e.seq)))

    const { runId } = await env.sim.startRun({ batches: 2 })
    await env.sim.issueInvoice({ amount: 1000 })
    await env.sim.idle()
    await until(() => heard.at(-1) === env.entries.at(-1)?.seq)

    expect(runId).toMatch(/^[0-9a-f]+$/)
    expect(thrown).toBe(1)
    expect(failures.filter((m) => /detached/.test(m))).toHaveLength(1)
    expect(heard).toEqual(env.entries.map((e) => e.seq))
    feed.close()
  })

  it('When paging back with a filter, Then entries come newest first and only of that kind', async () => {
    await env.sim.startRun({ batches: 2, minInvoices: 2, maxInvoices: 2 })
    await env.sim.idle()
    const feed = feedOf(env.sim)

    const page = await feed.entries({ limit: 1, filter: { kinds: ['runs'] } })
    const all = await feed.entries({ limit: 100, filter: { kinds: ['invoices'] } })

    expect(page).toEqual({
      entries: [expect.objectContaining({ type: 'run.started' })],
      hasMore: false
    })
    expect(all.entries.length).toBeGreaterThan(2)
    expect(
      all.entries.every((e) => e.type.startsWith('batch.') || e.type.startsWith('invoice.'))
    ).toBe(true)
    const created = all.entries.find((e) => e.type === 'invoice.created')
    if (created?.type !== 'invoice.created') throw new Error('no invoice')
    const byText = await feed.entries({ limit: 100, filter: { text: created.invoiceId } })
    expect(byText.entries.map((e) => e.type)).toContain('invoice.created')
    feed.close()
  })
})
