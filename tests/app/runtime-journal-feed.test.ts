// @vitest-environment node
/**
 * The feed the front ends read the journal through (the runtime's journal, as runtime-ports.ts
 * hands it on): a subscriber hears every entry after the seq it names (what was on disk before,
 * then live), in order, once; one that throws (a closed window) is detached without reaching the
 * engine, whose commands keep working.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { JournalFeed } from '../../src/main/app/ports'
import type { Simulator } from '../../src/main/engine/simulator'
import type { JournalEntry } from '../../src/shared/journal'
import { startRuntimePorts, type RuntimePortsEnv } from '../helpers/runtime-ports-env'

const until = async (check: () => boolean, ms = 10_000): Promise<void> => {
  const end = performance.now() + ms
  while (!check()) {
    if (performance.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('the runtime journal feed', () => {
  let env: RuntimePortsEnv
  let sim: Simulator
  const feedOf = (): JournalFeed => {
    const live = env.ports.live()
    if (!live) throw new Error('the runtime is not running')
    return live.journal
  }
  /** Every entry of the journal, oldest first. */
  const everything = async (): Promise<JournalEntry[]> =>
    (await sim.entries({ limit: 100_000 })).entries.reverse()
  beforeEach(async () => {
    env = await startRuntimePorts()
    sim = env.runtime.simulator
  })
  afterEach(() => env.cleanup())

  it('When subscribing after a seq over a journal with history, Then it hears the rest of the history, then live entries, each once', async () => {
    await sim.startRun({ batches: 2, minInvoices: 1, maxInvoices: 1 })
    await sim.idle()
    const history = (await everything()).length
    // A new feed on a journal that already holds entries: they come from the file.
    const feed = feedOf()
    const heard: JournalEntry[] = []
    feed.subscribe({ afterSeq: 2 }, (batch) => heard.push(...batch))

    await sim.issueInvoice({ name: 'Ana', amount: 1000 })
    await sim.idle()
    await until(() => heard.at(-1)?.seq === sim.lastSeq)

    const entries = await everything()
    expect(history).toBeGreaterThan(2)
    expect(heard.map((e) => e.seq)).toEqual(entries.slice(2).map((e) => e.seq))
    expect(feed.lastSeq()).toBe(entries.at(-1)?.seq)
  })

  it('When a subscriber throws, Then it is detached, the engine goes on, and other subscribers still hear', async () => {
    const feed = feedOf()
    let thrown = 0
    const heard: number[] = []
    feed.subscribe({ afterSeq: 0 }, () => {
      thrown++
      throw new Error('Object has been destroyed')
    })
    feed.subscribe({ afterSeq: 0 }, (batch) => heard.push(...batch.map((e) => e.seq)))

    const { runId } = await sim.startRun({ batches: 2 })
    await sim.issueInvoice({ amount: 1000 })
    await sim.idle()
    await until(() => heard.at(-1) === sim.lastSeq)

    expect(runId).toMatch(/^[0-9a-f]+$/)
    expect(thrown).toBe(1)
    expect(env.errors.filter((m) => /detached/.test(m))).toHaveLength(1)
    expect(heard).toEqual((await everything()).map((e) => e.seq))
  })

  it('When paging back with a filter, Then entries come newest first and only of that kind', async () => {
    await sim.startRun({ batches: 2, minInvoices: 2, maxInvoices: 2 })
    await sim.idle()
    const feed = feedOf()

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
  })
})
