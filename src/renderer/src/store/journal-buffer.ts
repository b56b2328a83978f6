/**
 * Every journal entry the renderer has received, in seq order, with the per-entry data the log needs
 * (kind and search text) computed once on arrival. It is mutated in place and versioned rather than
 * copied: copying 100,000 entries twenty times a second would cost more than the rendering.
 */
import type { EntryFilter, EntryKind } from '../../../shared/contract'
import type { JournalEntry } from '../../../shared/journal'
import { kindOf, normalizeQuery, searchTextOf } from './log-filter'
import { RunMarks } from './run-marks'

export class JournalBuffer {
  readonly entries: JournalEntry[] = []
  readonly kinds: EntryKind[] = []
  readonly texts: string[] = []
  readonly marks = new RunMarks()
  /** Bumped on every change, so views know when to look again. */
  version = 0
  /**
   * Every search text joined by newlines (which a text never holds), with where each begins: one
   * indexOf over it skips straight to the next match, where 100,000 separate ones cost a keystroke
   * its 100 ms. Built on the first full search after entries arrived.
   */
  private joined = ''
  private starts: number[] = []
  private joinedCount = 0
  /**
   * Set on a buffer started over for another environment, until the host's replay began: only an
   * entry that follows the last one (seq 1 first) is taken, so a push already on its way from before
   * the restart (old entries, or new ones past a gap the replay fills) cannot jump ahead of it.
   */
  contiguousOnly: boolean

  constructor(options: { contiguousOnly?: boolean } = {}) {
    this.contiguousOnly = options.contiguousOnly ?? false
  }

  get lastSeq(): number {
    return this.entries.length === 0 ? 0 : this.entries[this.entries.length - 1]!.seq
  }

  /**
   * Adds entries in seq order and returns how many were new. Anything at or below the last seq is
   * a replay the host already sent (a reconnect resumes from our last seq), so it is skipped.
   */
  append(batch: readonly JournalEntry[]): number {
    let added = 0
    for (const entry of batch) {
      if (entry.seq <= this.lastSeq) continue
      if (this.contiguousOnly && entry.seq !== this.lastSeq + 1) continue
      this.entries.push(entry)
      this.kinds.push(kindOf(entry))
      this.texts.push(searchTextOf(entry))
      this.marks.add(entry)
      added++
    }
    if (added > 0) this.version++
    return added
  }

  /** Indexes of the entries that pass the filter, from `from` on (a tight loop: 100,000 a keystroke). */
  filter(filter: EntryFilter, from = 0): number[] {
    const query = normalizeQuery(filter.text)
    const kinds = filter.kinds && filter.kinds.length > 0 ? new Set(filter.kinds) : null
    // A live tail tests a few new entries; a new query tests them all, through the joined text.
    if (query !== '' && !query.includes('\n') && this.texts.length - from > 1_000)
      return this.search(query, kinds, from)
    const { texts } = this
    const entryKinds = this.kinds
    const out: number[] = []
    for (let i = from; i < texts.length; i++) {
      if (kinds !== null && !kinds.has(entryKinds[i]!)) continue
      if (query !== '' && texts[i]!.indexOf(query) === -1) continue
      out.push(i)
    }
    return out
  }

  private search(query: string, kinds: Set<EntryKind> | null, from: number): number[] {
    if (this.joinedCount !== this.texts.length) {
      this.joined = this.texts.join('\n')
      this.starts = new Array<number>(this.texts.length)
      let at = 0
      for (let i = 0; i < this.texts.length; i++) {
        this.starts[i] = at
        at += this.texts[i]!.length + 1
      }
      this.joinedCount = this.texts.length
    }
    const { joined, starts } = this
    const out: number[] = []
    let pos = joined.indexOf(query, starts[from])
    let i = from
    while (pos !== -1) {
      // The entry holding `pos`: the last start at or before it (matches only move forward).
      let lo = i
      let hi = starts.length - 1
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1
        if (starts[mid]! <= pos) lo = mid
        else hi = mid - 1
      }
      i = lo
      if (kinds === null || kinds.has(this.kinds[i]!)) out.push(i)
      if (++i >= starts.length) break
      pos = joined.indexOf(query, starts[i])
    }
    return out
  }
}

/**
 * The filtered index list, kept up to date incrementally: while the filter stays the same, only
 * entries that arrived since the last look are tested, so a live tail costs little at 100,000.
 */
export class FilteredView {
  private key = ''
  private scanned = 0
  private indexes: number[] = []

  constructor(private readonly buffer: JournalBuffer) {}

  /** Returns the same array while nothing changed, a new one otherwise (React can compare it). */
  indexesFor(filter: EntryFilter): number[] {
    const key = JSON.stringify([filter.kinds ?? [], normalizeQuery(filter.text)])
    if (key !== this.key) {
      this.key = key
      this.indexes = this.buffer.filter(filter)
    } else if (this.scanned < this.buffer.entries.length) {
      const more = this.buffer.filter(filter, this.scanned)
      if (more.length > 0) this.indexes = this.indexes.concat(more)
    }
    this.scanned = this.buffer.entries.length
    return this.indexes
  }
}
