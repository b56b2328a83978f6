/**
 * Subscriptions that can neither hurt the engine nor miss an entry, and paging older entries
 * (findings item 3: a listener that threw, as a closed window's `webContents.send` does, rejected
 * `startRun()` after the run was recorded, and no batch was ever issued).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { isAppError } from '../../src/shared/errors'
import type { JournalEntry } from '../../src/shared/journal'
import { startEngineEnv, type EngineEnv } from '../helpers/engine-env'
import { advanceBy, HOUR, ofType } from '../helpers/engine-steps'
import {
  invoiceCreated,
  journalKit,
  runStarted,
  transferIntent,
  type Kit
} from '../helpers/journal-kit'

let kit: Kit | undefined
let env: EngineEnv | undefined
afterEach(async () => {
  await kit?.cleanup()
  await env?.cleanup()
  kit = undefined
  env = undefined
})

const seqs = (entries: JournalEntry[]): number[] => entries.map((e) => e.seq)
const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i)

describe('journal subscriptions', () => {
  it('When a subscriber throws, Then it is detached and logged, startRun() succeeds, the batch is issued, and the run still completes', async () => {
    // Arrange: a front end whose window is gone, and one that is fine
    const errors: string[] = []
    env = await startEngineEnv({
      behaviour: { autoPayRatio: 1 },
      engine: {
        logger: { info: () => undefined, warn: () => undefined, error: (m) => errors.push(m) }
      }
    })
    let thrown = 0
    env.sim.subscribe({}, () => {
      thrown++
      throw new Error('Object has been destroyed')
    })
    const heard: JournalEntry[] = []
    const startSeq = env.sim.lastSeq
    env.sim.subscribe({}, (batch) => heard.push(...batch))

    // Act
    const { runId } = await env.sim.startRun({
      batches: 1,
      minInvoices: 2,
      maxInvoices: 2,
      settleMs: HOUR
    })
    for (let i = 0; i < 4; i++) await advanceBy(env, HOUR)
    await env.completed

    // Assert
    expect(runId).toMatch(/^[0-9a-f]{10}$/)
    expect(thrown).toBe(1)
    expect(errors.join('\n')).toMatch(
      /subscriber threw and was detached.*Object has been destroyed/
    )
    expect(ofType(heard, 'batch.issued')).toMatchObject([{ batch: 'b0', runId }])
    expect(ofType(heard, 'run.completed')).toMatchObject([{ runId }])
    expect(seqs(heard)).toEqual(range(startSeq + 1, heard[heard.length - 1]!.seq))
  })

  it('When subscribing after a seq while entries keep coming, Then every later entry arrives once, in order, in batches, never inside append', async () => {
    // Arrange: a tail of 50 in memory, so the replay starts on disk
    kit = await journalKit()
    const { journal } = await kit.open({ tailSize: 50, indexEvery: 16 })
    await journal.write(runStarted())
    for (let i = 1; i < 500; i++) journal.append(invoiceCreated(i))
    await journal.idle()
    let appending = false
    let calledInsideAppend = false
    const batches: JournalEntry[][] = []
    const fromZero: JournalEntry[] = []

    // Act: subscribe from seq 123 and from 0, then keep appending in bursts
    journal.subscribe({ afterSeq: 123 }, (batch) => {
      calledInsideAppend ||= appending
      batches.push(batch)
    })
    journal.subscribe({ afterSeq: 0 }, (batch) => fromZero.push(...batch))
    for (let burst = 0; burst < 20; burst++) {
      for (let i = 0; i < 50; i++) {
        appending = true
        journal.append(transferIntent(burst * 50 + i))
        appending = false
      }
      await new Promise((resolve) => setImmediate(resolve))
    }
    await journal.idle()

    // Assert
    const last = journal.lastSeq
    expect(last).toBe(1500)
    expect(seqs(batches.flat())).toEqual(range(124, last))
    expect(seqs(fromZero)).toEqual(range(1, last))
    expect(batches.length).toBeGreaterThan(1)
    expect(batches.length).toBeLessThan(last - 123)
    expect(calledInsideAppend).toBe(false)
  })

  it('When a subscriber asks for a seq the journal does not hold, Then it is refused with a code', async () => {
    kit = await journalKit()
    const { journal } = await kit.open()
    await journal.write(runStarted())

    const error = (() => {
      try {
        journal.subscribe({ afterSeq: 5 }, () => undefined)
      } catch (e) {
        return e
      }
    })()

    expect(isAppError(error) && error.code).toBe('invalid_args')
    expect((error as Error).message).toMatch(/afterSeq 5 .*its last is 1/)
  })

  it('When scrolling back through 100,000 entries, Then entries() pages them newest first, each once, from memory then disk, and filters', async () => {
    // Arrange
    kit = await journalKit()
    const { journal } = await kit.open({ tailSize: 500 })
    await journal.write(runStarted())
    for (let i = 1; i < 100_000; i++) {
      journal.append(i % 10 === 0 ? transferIntent(i) : invoiceCreated(i))
      if (i % 5000 === 0) await journal.idle()
    }
    await journal.idle()

    // Act: page all of it, 2,000 at a time
    const paged: number[] = []
    let beforeSeq: number | undefined
    for (;;) {
      const page = await journal.entries({ beforeSeq, limit: 2000 })
      paged.push(...seqs(page.entries))
      if (!page.hasMore) break
      beforeSeq = page.entries[page.entries.length - 1]!.seq
    }

    // Assert: newest first, every seq once
    expect(paged).toEqual(range(1, 100_000).reverse())
    // A filtered page from the middle of the file: kinds and text (an amount in BRL)
    const transfers = await journal.entries({
      beforeSeq: 50_000,
      limit: 3,
      filter: { kinds: ['transfers'] }
    })
    expect(seqs(transfers.entries)).toEqual([49_991, 49_981, 49_971])
    expect(transfers.hasMore).toBe(true)
    const byAmount = await journal.entries({ limit: 5, filter: { text: 'R$ 22,34' } })
    expect(byAmount.entries).toMatchObject([{ type: 'invoice.created', invoiceId: 'inv-1234' }])
    expect(byAmount.hasMore).toBe(false)
    const oldest = await journal.entries({ beforeSeq: 3, limit: 10 })
    expect(seqs(oldest.entries)).toEqual([2, 1])
    expect(oldest.hasMore).toBe(false)
  }, 60_000)
})
