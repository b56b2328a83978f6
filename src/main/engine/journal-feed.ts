/**
 * Journal subscriptions that can neither hurt the engine nor miss an entry. Each subscriber has a
 * cursor (the last seq it was handed) and is fed in seq order, in batches, from the store: first
 * what it missed (from memory or from disk), then live entries as they become durable. Delivery is
 * never inside `append` (a closed window's `webContents.send` throwing there once failed
 * `startRun()` after the run was recorded); a listener that throws is detached and logged, and the
 * others keep hearing.
 */
import type { JournalEntry } from '../../shared/journal'
import type { Logger } from './context'
import type { JournalStore } from './journal-store'

export type JournalBatchListener = (entries: JournalEntry[]) => void

interface Subscriber {
  cursor: number
  onBatch: JournalBatchListener
  active: boolean
  running: boolean
  again: boolean
}

/** Entries per call; a subscriber far behind catches up in several batches. */
const MAX_BATCH = 1000

export class JournalFeed {
  private readonly subscribers = new Set<Subscriber>()
  private readonly pumps = new Set<Promise<void>>()

  constructor(
    private readonly store: JournalStore,
    private readonly logger: Pick<Logger, 'error'>,
    private readonly describeFile: string
  ) {}

  subscribe(afterSeq: number, onBatch: JournalBatchListener): () => void {
    const sub: Subscriber = {
      cursor: afterSeq,
      onBatch,
      active: true,
      running: false,
      again: false
    }
    this.subscribers.add(sub)
    // Not synchronously: the caller finishes subscribing before its listener is first called.
    queueMicrotask(() => this.pump(sub))
    return () => this.detach(sub)
  }

  /** New durable entries: wake every subscriber. */
  notify(): void {
    for (const sub of this.subscribers) this.pump(sub)
  }

  get busy(): boolean {
    return (
      this.pumps.size > 0 || [...this.subscribers].some((s) => s.cursor < this.store.durableSeq)
    )
  }

  /** Resolves once every subscriber was handed every durable entry. */
  async idle(): Promise<void> {
    for (;;) {
      await new Promise<void>((resolve) => queueMicrotask(resolve))
      if (this.pumps.size === 0) {
        const behind = [...this.subscribers].some((s) => s.cursor < this.store.durableSeq)
        if (!behind) return
        this.notify()
      }
      await Promise.all(this.pumps)
    }
  }

  detachAll(): void {
    for (const sub of this.subscribers) this.detach(sub)
  }

  private detach(sub: Subscriber): void {
    sub.active = false
    this.subscribers.delete(sub)
  }

  private pump(sub: Subscriber): void {
    if (!sub.active) return
    if (sub.running) {
      sub.again = true
      return
    }
    sub.running = true
    const run = this.drain(sub).finally(() => {
      sub.running = false
      this.pumps.delete(run)
      if (sub.again && sub.active) {
        sub.again = false
        this.pump(sub)
      }
    })
    this.pumps.add(run)
  }

  private async drain(sub: Subscriber): Promise<void> {
    while (sub.active && sub.cursor < this.store.durableSeq) {
      sub.again = false
      let batch: JournalEntry[]
      try {
        batch = await this.store.after(sub.cursor, MAX_BATCH)
      } catch (error) {
        this.logger.error(
          `journal subscriber detached: reading ${this.describeFile} failed: ${messageOf(error)}`
        )
        this.detach(sub)
        return
      }
      if (!sub.active) return
      if (batch.length === 0) {
        // Cannot happen while the store is consistent; waiting forever would hide it.
        this.logger.error(
          `journal subscriber detached: entries after seq ${sub.cursor} were not found in ${this.describeFile}`
        )
        this.detach(sub)
        return
      }
      sub.cursor = (batch[batch.length - 1] as JournalEntry).seq
      try {
        sub.onBatch(batch)
      } catch (error) {
        this.logger.error(
          `a journal subscriber threw and was detached (the engine and other subscribers go on): ${messageOf(error)}`
        )
        this.detach(sub)
        return
      }
      // Let the engine run between batches of a long replay.
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
  }
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error)
