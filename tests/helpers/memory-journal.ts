/**
 * An in-memory `JournalFeed` with the promised semantics (asynchronous, batched, in seq order, no
 * gap, no duplicate), for testing what sits on top of a feed (the push hub, the transports) at
 * rates and sizes a real engine would take minutes to produce.
 */
import type { JournalFeed } from '../../src/main/app/ports'
import type { JournalEntry } from '../../src/shared/journal'

export class MemoryJournal implements JournalFeed {
  readonly all: JournalEntry[] = []
  private readonly subs = new Set<{ cursor: number; onBatch: (e: JournalEntry[]) => void }>()
  private scheduled = false

  /** Appends `count` entries (error entries: they need no other state) and returns the last seq. */
  append(count = 1): number {
    for (let i = 0; i < count; i++) {
      const seq = this.lastSeq() + 1
      this.all.push({
        v: 2,
        seq,
        at: seq * 1000,
        wall: seq * 1000,
        runId: null,
        type: 'error',
        where: 'test',
        message: `entry ${seq}`
      })
    }
    this.wake()
    return this.lastSeq()
  }

  lastSeq(): number {
    return this.all.at(-1)?.seq ?? 0
  }

  subscribe(from: { afterSeq: number }, onBatch: (entries: JournalEntry[]) => void): () => void {
    const sub = { cursor: from.afterSeq, onBatch }
    this.subs.add(sub)
    this.wake()
    return () => this.subs.delete(sub)
  }

  async entries(query: { beforeSeq?: number; limit: number }) {
    const older = this.all.filter((e) => query.beforeSeq === undefined || e.seq < query.beforeSeq)
    const page = older.slice(-query.limit).reverse()
    return { entries: page, hasMore: older.length > page.length }
  }

  get subscribers(): number {
    return this.subs.size
  }

  private wake(): void {
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      for (const sub of this.subs) {
        const batch = this.all.slice(sub.cursor).slice(0, 1000)
        if (batch.length === 0) continue
        sub.cursor = (batch.at(-1) as JournalEntry).seq
        sub.onBatch(batch)
        if (sub.cursor < this.lastSeq()) this.wake()
      }
    })
  }
}
