/**
 * The emulator's state in memory and on disk. Code that changes a record says so (`mark`); the store
 * writes the changed records as one commit per turn (group commit: one write and one fsync for all
 * the changes made together) and `save()` resolves once everything marked before it is on disk, so
 * that nothing is answered or posted before it would survive a crash. Without a file it keeps the
 * state in memory only.
 *
 * A change marked `lazy` does not start a commit of its own: it rides with the next one (anything
 * answered or posted waits for that), or is written within LAZY_WRITE_MS. For bookkeeping whose loss
 * in a crash only repeats work (a delivery recorded as accepted: the event is sent again), so that
 * each delivery does not cost an fsync of its own between two steps of a run.
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { AppError } from '../../shared/errors'
import type { Commit, SegmentFile } from './change-log'
import {
  encodeEvent,
  loadState,
  Segment,
  segmentPath,
  snapshotText,
  syncDir,
  writeSnapshot
} from './persistence'
import type { Collection, EmulatorState, StarkEvent } from './types'

export interface StoreOptions {
  /** Without a file, nothing is written. */
  file?: string
  /** Makes the state of a new emulator (no file yet). */
  fresh: () => EmulatorState
  /**
   * The log is compacted into a snapshot once it is larger than the last snapshot and than this
   * (default 64 KiB): each change is then written about twice (in the log, then in a snapshot)
   * whatever the state's size, and a start reads at most about two snapshots' worth.
   */
  compactMinBytes?: number
  log?: (line: string) => void
}

export interface StoreStats {
  /** Everything written since this process opened the store: log commits and snapshots. */
  bytesWritten: number
  logBytesWritten: number
  snapshotBytesWritten: number
  commits: number
  snapshots: number
  /** Size of the log since the last snapshot, and of that snapshot. */
  logBytes: number
  snapshotBytes: number
}

interface Waiter {
  upTo: number
  resolve: () => void
  reject: (error: unknown) => void
}

const DEFAULT_COMPACT_MIN_BYTES = 64 * 1024
/** Real time a lazy change waits for a commit to ride with before it gets one of its own. */
export const LAZY_WRITE_MS = 200
/** A clean stop folds a log this large (relative to the snapshot) into it, for a quick next start. */
const COMPACT_AT_STOP = 0.25

export class StateStore {
  private segment: Segment | undefined
  /** Older segments: deleted once a snapshot covers them. */
  private older: string[]
  private readonly dirty = new Map<Collection, Set<string>>()
  /** The change that last marked each record not yet on disk (`collection/id`). */
  private readonly pendingMarks = new Map<string, number>()
  private ledgerWritten: number
  private changes = 0
  private durableChanges = 0
  /** The last change that must be written now (not lazy, or waited for). */
  private wanted = 0
  /** The last change that was not lazy: what `saveEager()` waits for. */
  private lastEager = 0
  private lazyTimer: ReturnType<typeof setTimeout> | undefined
  private waiters: Waiter[] = []
  private flushing: Promise<void> | undefined
  private snapshotting: Promise<void> | undefined
  private failure: AppError | undefined
  private closed = false
  /** After a failed compaction, the log size at which to try again. */
  private retryCompactionAt = 0
  private readonly compactMinBytes: number
  private readonly log: (line: string) => void
  /** Virtual time, written with every commit so that a restart resumes from it. */
  private now: () => number
  private readonly counters = {
    logBytesWritten: 0,
    snapshotBytesWritten: 0,
    commits: 0,
    snapshots: 0
  }

  private constructor(
    readonly state: EmulatorState,
    private seq: number,
    private readonly options: StoreOptions,
    private logBytes: number,
    private snapshotBytes: number
  ) {
    this.ledgerWritten = state.ledger.length
    this.compactMinBytes = options.compactMinBytes ?? DEFAULT_COMPACT_MIN_BYTES
    this.log = options.log ?? (() => undefined)
    this.older = []
    this.now = () => state.clockNow
  }

  /** The clock starts where the loaded state left off, so it is made after the store opens. */
  useClock(now: () => number): void {
    this.now = now
  }

  static async open(options: StoreOptions): Promise<StateStore> {
    const { file } = options
    if (!file) return new StateStore(options.fresh(), 0, options, 0, 0)
    await mkdir(dirname(file), { recursive: true, mode: 0o700 })
    await removeAbandonedSnapshots(file)
    const loaded = await loadState(file, options.fresh)
    let snapshotBytes: number
    let segments: SegmentFile[] = loaded.segments
    if (loaded.needsSnapshot) {
      // A new state or a version 1 file: the first snapshot makes it a version 2 state.
      snapshotBytes = await writeSnapshot(file, snapshotText(loaded.state, loaded.seq))
      segments = []
    } else {
      snapshotBytes = (await stat(file)).size
    }
    let logBytes = 0
    for (const segment of segments) logBytes += (await stat(segment.file)).size
    const store = new StateStore(loaded.state, loaded.seq, options, logBytes, snapshotBytes)
    store.counters.snapshotBytesWritten = loaded.needsSnapshot ? snapshotBytes : 0
    const last = segments[segments.length - 1]
    store.older = segments.slice(0, -1).map((s) => s.file)
    store.segment = await openSegment(last ? last.file : segmentPath(file, loaded.seq + 1))
    return store
  }

  /**
   * Records that a record of `collection` was created, changed or deleted. A `lazy` change waits
   * for the next commit (see the top of this file).
   */
  mark(collection: Collection, id: string, lazy = false): void {
    if (!this.segment || this.closed || this.failure) return
    let ids = this.dirty.get(collection)
    if (!ids) this.dirty.set(collection, (ids = new Set()))
    ids.add(id)
    this.changes++
    this.pendingMarks.set(`${collection}/${id}`, this.changes)
    if (lazy) this.armLazyWrite()
    else this.want((this.lastEager = this.changes))
  }

  /** Records a change of the scalars (balance, ledger, ids used) alone. */
  touch(): void {
    if (!this.segment || this.closed || this.failure) return
    this.changes++
    this.want((this.lastEager = this.changes))
  }

  /** Resolves once every change recorded before this call is on disk. */
  save(): Promise<void> {
    return this.saveUpTo(this.changes)
  }

  /**
   * The same, lazy changes aside: those keep their own schedule, so that an answer given right after
   * a delivery does not wait for the delivery's bookkeeping.
   */
  saveEager(): Promise<void> {
    return this.saveUpTo(this.lastEager)
  }

  /**
   * Resolves once these records, as they are now, are on disk (and every change made before their
   * last one): a webhook post waits for its event, not for whatever else changed since.
   */
  saveRecords(records: readonly (readonly [Collection, string])[]): Promise<void> {
    let upTo = 0
    for (const [collection, id] of records)
      upTo = Math.max(upTo, this.pendingMarks.get(`${collection}/${id}`) ?? 0)
    return this.saveUpTo(upTo)
  }

  private saveUpTo(upTo: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure)
    if (!this.segment || this.durableChanges >= upTo) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ upTo, resolve, reject })
      this.want(upTo)
    })
  }

  stats(): StoreStats {
    const c = this.counters
    return {
      ...c,
      bytesWritten: c.logBytesWritten + c.snapshotBytesWritten,
      logBytes: this.logBytes,
      snapshotBytes: this.snapshotBytes
    }
  }

  /**
   * Writes what is pending and the current time, then closes the files. A log grown to a quarter
   * of the snapshot is folded into it first, so that the next start reads the snapshot alone.
   */
  async close(): Promise<void> {
    if (this.closed || !this.segment) return
    this.touch()
    try {
      await this.save()
      this.closed = true
      await this.settled()
      if (this.logBytes >= this.snapshotBytes * COMPACT_AT_STOP) await this.compact()
    } finally {
      this.closed = true
      clearTimeout(this.lazyTimer)
      await this.settled()
      await this.segment.close()
    }
  }

  private async settled(): Promise<void> {
    while (this.flushing || this.snapshotting) await (this.flushing ?? this.snapshotting)
  }

  // --- Group commit ---

  private want(upTo: number): void {
    this.wanted = Math.max(this.wanted, upTo)
    this.schedule()
  }

  private armLazyWrite(): void {
    if (this.lazyTimer) return
    this.lazyTimer = setTimeout(() => {
      this.lazyTimer = undefined
      if (!this.closed && !this.failure) this.want(this.changes)
    }, LAZY_WRITE_MS)
    // close() writes what is pending: the timer need not keep the process alive.
    this.lazyTimer.unref()
  }

  private schedule(): void {
    if (this.flushing) return
    this.flushing = this.flush().finally(() => {
      this.flushing = undefined
      if (!this.failure && this.wanted > this.durableChanges) this.schedule()
    })
  }

  private async flush(): Promise<void> {
    // Let every change of this turn join the commit.
    await nextTurn()
    while (!this.failure && this.wanted > this.durableChanges) {
      const segment = this.segment as Segment
      const upTo = this.changes
      const text = this.commitText()
      try {
        const bytes = await segment.append(text)
        this.logBytes += bytes
        this.counters.logBytesWritten += bytes
        this.counters.commits++
      } catch (error) {
        this.fail(error)
        return
      }
      this.durableChanges = upTo
      if (upTo === this.changes) {
        clearTimeout(this.lazyTimer)
        this.lazyTimer = undefined
      }
      for (const [key, change] of this.pendingMarks)
        if (change <= upTo) this.pendingMarks.delete(key)
      this.release()
      if (this.compactionDue()) await this.compact()
    }
  }

  private commitText(): string {
    const { state } = this
    const commit: Commit = {
      seq: ++this.seq,
      clockNow: this.now(),
      usedIds: state.usedIds,
      balance: state.balance
    }
    state.clockNow = commit.clockNow
    if (state.ledger.length !== this.ledgerWritten) {
      commit.ledgerFrom = this.ledgerWritten
      commit.ledger = state.ledger.slice(this.ledgerWritten)
      this.ledgerWritten = state.ledger.length
    }
    const records = state as unknown as Record<Collection, Record<string, unknown>>
    for (const [name, ids] of this.dirty) {
      for (const id of ids) {
        const value = records[name][id]
        if (value === undefined) ((commit.del ??= {})[name] ??= []).push(id)
        else
          ((commit.put ??= {})[name] ??= {})[id] =
            name === 'events' ? encodeEvent(state, value as StarkEvent) : value
      }
    }
    this.dirty.clear()
    return JSON.stringify(commit) + '\n'
  }

  private release(): void {
    const still: Waiter[] = []
    for (const waiter of this.waiters) {
      if (waiter.upTo <= this.durableChanges) waiter.resolve()
      else still.push(waiter)
    }
    this.waiters = still
  }

  private fail(error: unknown): void {
    const file = this.options.file as string
    this.failure = new AppError(
      'state_write_failed',
      `The emulator could not write its state to ${file} (${error instanceof Error ? error.message : String(error)}), ` +
        'so it accepts nothing more: what it holds in memory is ahead of the disk. Free disk space ' +
        'or fix the folder permissions, then restart the emulator: it continues from its last write.',
      { cause: error }
    )
    this.log(`emulator: ${this.failure.message}`)
    for (const waiter of this.waiters) waiter.reject(this.failure)
    this.waiters = []
  }

  // --- Compaction ---

  private compactionDue(): boolean {
    return (
      !this.snapshotting &&
      !this.closed &&
      this.logBytes >= Math.max(this.compactMinBytes, this.snapshotBytes, this.retryCompactionAt)
    )
  }

  /**
   * Starts a new segment and writes the snapshot in the background: commits go on meanwhile. The
   * snapshot is taken between two turns, so it is a consistent state; changes made after the last
   * commit are in it and will be in the next commit too, which replays harmlessly over it.
   */
  private async compact(): Promise<void> {
    const file = this.options.file as string
    // No commit is written while this runs (it runs inside the flush loop), so `seq` holds.
    const seq = this.seq
    const previous = this.segment as Segment
    try {
      this.segment = await openSegment(segmentPath(file, seq + 1))
    } catch (error) {
      // Commits go on in the current segment; compaction is tried again once the log has grown.
      this.retryCompactionAt = this.logBytes + this.compactMinBytes
      this.log(`emulator: could not start a new log segment beside ${file}: ${String(error)}`)
      return
    }
    await previous
      .close()
      .catch((error: unknown) =>
        this.log(`emulator: could not close ${previous.file}: ${String(error)}`)
      )
    this.state.clockNow = this.now()
    const text = snapshotText(this.state, seq)
    this.logBytes = 0
    this.retryCompactionAt = 0
    const covered = [...this.older, previous.file]
    this.older = []
    this.snapshotting = writeSnapshot(file, text)
      .then(async (size) => {
        this.snapshotBytes = size
        this.counters.snapshotBytesWritten += size
        this.counters.snapshots++
        for (const old of covered) await rm(old, { force: true })
      })
      .catch((error: unknown) => {
        // The log still holds everything: keep its segments and try again at the next compaction.
        this.older = [...covered, ...this.older]
        this.log(`emulator: could not write the snapshot ${file}: ${String(error)}`)
      })
      .finally(() => (this.snapshotting = undefined))
  }
}

/** A snapshot write cut short by a crash leaves its temporary file: the snapshot itself is whole. */
async function removeAbandonedSnapshots(file: string): Promise<void> {
  const prefix = `${basename(file)}.tmp-`
  for (const name of await readdir(dirname(file)))
    if (name.startsWith(prefix)) await rm(join(dirname(file), name), { force: true })
}

async function openSegment(file: string): Promise<Segment> {
  const segment = await Segment.open(file)
  // The new file's name must be durable before any commit in it is acknowledged.
  await syncDir(dirname(file))
  return segment
}
