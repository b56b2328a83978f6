/**
 * The durable, append-only journal: one JSON line per entry in `journal.ndjson`. Appends cost the same
 * whatever the journal's size (no file is rewritten), and concurrent appends share one write + fsync
 * (group commit), so the webhook server can answer 200 only after its entry is whole on disk
 * without paying one fsync per delivery.
 *
 * The engine's state (the projection) is folded synchronously in `append`, because the engine reads
 * it right after recording. Everyone else hears entries through `subscribe`: asynchronously, in
 * batches, once durable (journal-feed.ts). Memory is bounded: a recent tail plus a sparse index; older
 * entries are paged from disk (journal-store.ts). Opening streams the file (journal-open.ts).
 */
import { repairText } from '../../shared/describe'
import { AppError } from '../../shared/errors'
import {
  checkBody,
  JOURNAL_VERSION,
  type JournalBody,
  type JournalEntry
} from '../../shared/journal'
import { compileFilter, type EntryFilter } from '../../shared/journal-filter'
import type { Clock, RealTime } from '../time/clock'
import type { Logger } from './context'
import {
  MAX_LINE_BYTES,
  openJournalHandle,
  writeAll,
  type JournalHandle,
  type OpenHandle
} from './journal-file'
import { JournalFeed, type JournalBatchListener } from './journal-feed'
import { openAndFold, type FoldHooks, type OpenReport } from './journal-open'
import { JournalStore } from './journal-store'

export type { JournalBatchListener, OpenReport }

export interface JournalOptions extends FoldHooks {
  clock: Clock
  /** Wall time for each entry's `wall` and the rejected-delivery minutes, from the composition root. */
  realTime: RealTime
  logger: Logger
  /** Recent entries kept in memory (default 2,000); older ones are read from disk when asked for. */
  tailSize?: number
  /** One seq -> byte offset index point every this many entries (default 256). */
  indexEvery?: number
  /** Opens the file; tests inject a handle that writes short or fails. */
  openHandle?: OpenHandle
}

/** Internal engine reactions: called synchronously after the projection applied an entry. */
export type JournalReaction = (entry: JournalEntry) => void

interface Pending {
  line: string
  seq: number
  resolve: () => void
  reject: (error: unknown) => void
}

export class Journal {
  private readonly reactions = new Set<JournalReaction>()
  private queue: Pending[] = []
  private flushing: Promise<void> | undefined
  private closed = false
  /** Set by a failed write: memory may be ahead of disk, so nothing more is accepted. */
  private failure: AppError | undefined
  /** Where the next line will start: the file's size once every queued line is written. */
  private nextOffset: number
  private size: number
  private readonly feed: JournalFeed

  private constructor(
    readonly file: string,
    private handle: JournalHandle,
    private readonly store: JournalStore,
    private readonly options: JournalOptions,
    size: number,
    /** What opening found and repaired; also journaled as `journal.repaired` when not empty. */
    readonly opened: OpenReport
  ) {
    this.size = size
    this.nextOffset = size
    this.store.durableSeq = store.lastSeq
    this.store.durableSize = size
    this.feed = new JournalFeed(store, options.logger, file)
  }

  /** Opens (or creates) the journal, folding every entry into the state as it streams by. */
  static async open(file: string, options: JournalOptions): Promise<Journal> {
    const openHandle = options.openHandle ?? openJournalHandle
    const store = new JournalStore(file, {
      tailSize: Math.max(1, options.tailSize ?? 2000),
      indexEvery: Math.max(1, options.indexEvery ?? 256)
    })
    const first = await openHandle(file)
    const opened = await openAndFold(file, first, store, options, () => openHandle(file)).catch(
      async (error: unknown) => {
        // A refused or unrepairable file: the handle must not outlive the failed open.
        await first.close().catch(() => undefined)
        throw error
      }
    )
    store.attach(opened.handle)
    const journal = new Journal(file, opened.handle, store, options, opened.size, opened.report)
    const { repairs, migrated } = opened.report
    if (repairs.length > 0 || migrated) {
      const said = [
        ...repairs.map(repairText),
        ...(migrated
          ? [
              `${migrated.entries} entries migrated from the previous format (original kept as ${migrated.backup})`
            ]
          : [])
      ]
      options.logger.warn(`journal ${file} repaired on open: ${said.join('; ')}`)
      try {
        await journal.write({
          type: 'journal.repaired',
          file,
          repairs,
          ...(migrated ? { migrated } : {})
        })
      } catch (error) {
        await journal.close().catch(() => undefined)
        throw error
      }
    }
    return journal
  }

  get lastSeq(): number {
    return this.store.lastSeq
  }

  /** The newest entry whole on disk: what subscribers and pages reach. */
  get durableSeq(): number {
    return this.store.durableSeq
  }

  /** True while an append is not yet on disk or a subscriber has not heard everything durable. */
  get busy(): boolean {
    return this.flushing !== undefined || this.queue.length > 0 || this.feed.busy
  }

  /**
   * Appends an entry: the projection applies it at once (and then the engine's reactions), and the
   * returned promise resolves once the whole line is on disk. A caller that must not answer early
   * (a webhook's 200) awaits it; subscribers hear the entry only after that.
   */
  append(body: JournalBody): { entry: JournalEntry; durable: Promise<void> } {
    if (this.closed)
      throw new AppError(
        'not_running',
        'The journal is closed: the engine was stopped. Start it again.'
      )
    if (this.failure) throw this.failure
    checkBody(body)
    const entry = {
      v: JOURNAL_VERSION,
      seq: this.store.lastSeq + 1,
      at: this.options.clock.now(),
      wall: Math.floor(this.options.realTime()),
      runId: this.options.runOf(body),
      ...body
    } as JournalEntry
    const line = JSON.stringify(entry) + '\n'
    const bytes = Buffer.byteLength(line)
    if (bytes > MAX_LINE_BYTES)
      throw new Error(`A ${body.type} entry of ${bytes} bytes is too large.`)
    // The state first: if folding throws (a bug), nothing was recorded.
    this.options.fold(entry)
    this.store.add(entry, this.nextOffset)
    this.nextOffset += bytes
    const durable = new Promise<void>((resolve, reject) => {
      this.queue.push({ line, seq: entry.seq, resolve, reject })
    })
    this.schedule()
    for (const react of this.reactions) {
      try {
        react(entry)
      } catch (error) {
        this.options.logger.error(`journal reaction to ${entry.type} failed: ${messageOf(error)}`)
      }
    }
    return { entry, durable }
  }

  /** Appends and waits for the disk. */
  async write(body: JournalBody): Promise<JournalEntry> {
    const { entry, durable } = this.append(body)
    await durable
    return entry
  }

  /**
   * For the engine's own reactions (the completion check), which must run whatever front ends do:
   * called synchronously after each append, isolated from each other; they should only schedule work.
   */
  react(reaction: JournalReaction): () => void {
    this.reactions.add(reaction)
    return () => this.reactions.delete(reaction)
  }

  /**
   * Hands `onBatch` every durable entry after `afterSeq` (default: the newest durable one, where
   * entries() pages end, so together they miss nothing and repeat nothing), oldest first, in
   * batches, with no gap and no duplicate: first from memory or disk, then live. Never
   * synchronously. A listener that throws is detached and logged.
   */
  subscribe(options: { afterSeq?: number }, onBatch: JournalBatchListener): () => void {
    if (this.closed)
      throw new AppError(
        'not_running',
        'The journal is closed: the engine was stopped. Start it again.'
      )
    const afterSeq = options.afterSeq ?? this.store.durableSeq
    if (!Number.isInteger(afterSeq) || afterSeq < 0 || afterSeq > this.store.lastSeq) {
      throw new AppError(
        'invalid_args',
        `afterSeq ${afterSeq} is not a seq of this journal (its last is ${this.store.lastSeq}). Subscribe again without afterSeq, or with a seq it holds.`
      )
    }
    return this.feed.subscribe(afterSeq, onBatch)
  }

  /**
   * Pages older durable entries, NEWEST FIRST: those before `beforeSeq` (default: the newest) that
   * pass `filter`, at most `limit`. The next page: `beforeSeq` = the last returned entry's seq.
   */
  async entries(options: {
    beforeSeq?: number
    limit: number
    filter?: EntryFilter
  }): Promise<{ entries: JournalEntry[]; hasMore: boolean }> {
    if (this.closed)
      throw new AppError(
        'not_running',
        'The journal is closed: the engine was stopped. Start it again.'
      )
    if (!Number.isInteger(options.limit) || options.limit < 1)
      throw new AppError('invalid_args', `limit must be a whole number of at least 1.`)
    return this.store.before(options.beforeSeq, options.limit, compileFilter(options.filter))
  }

  /** The newest durable entries in memory, oldest first. */
  recent(limit: number): JournalEntry[] {
    return this.store.recent(limit)
  }

  /** Resolves once everything appended so far is on disk (or failed) and every subscriber heard it. */
  async idle(): Promise<void> {
    while (this.flushing || this.queue.length > 0) await (this.flushing ?? Promise.resolve())
    await this.feed.idle()
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    while (this.flushing) await this.flushing
    await this.feed.idle()
    this.feed.detachAll()
    await this.handle.close()
  }

  private schedule(): void {
    if (this.flushing) return
    this.flushing = this.flush().finally(() => {
      this.flushing = undefined
      if (this.queue.length > 0) this.schedule()
    })
  }

  private async flush(): Promise<void> {
    // Let appends made in the same turn join this write.
    await new Promise<void>((resolve) => setImmediate(resolve))
    const batch = this.queue
    this.queue = []
    if (batch.length === 0) return
    if (this.failure) {
      for (const p of batch) p.reject(this.failure)
      return
    }
    const data = Buffer.from(batch.map((p) => p.line).join(''))
    try {
      await writeAll(this.handle, data)
      await this.handle.datasync()
    } catch (error) {
      this.failure = new AppError(
        'journal_failed',
        `The journal ${this.file} could not be written (${messageOf(error)}), so nothing more is recorded or acted on. Free disk space or fix the folder's permissions, then restart: the entries on disk are intact.`,
        { cause: error }
      )
      // Leave no part of this batch behind; if this fails too, the next open cuts the torn line.
      await this.handle.truncate(this.size).catch(() => undefined)
      this.options.logger.error(this.failure.message)
      for (const p of batch) p.reject(this.failure)
      return
    }
    this.size += data.length
    this.store.markDurable((batch[batch.length - 1] as Pending).seq, this.size)
    for (const p of batch) p.resolve()
    this.feed.notify()
  }
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error)
