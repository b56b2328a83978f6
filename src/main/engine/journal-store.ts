/**
 * Where entries are found after they were appended: a bounded tail of recent entries in memory, and
 * the file for the rest, reached through a sparse seq -> byte offset index (one point every
 * `indexEvery` entries). Memory stays flat however long the journal grows; paging 100,000 entries
 * back reads only the windows it needs.
 *
 * Only durable entries (whole on disk) are handed out: subscribers and pages never show an entry a
 * crash could still take back.
 */
import type { JournalEntry } from '../../shared/journal'
import { eachLine, readRange, scanLines, type JournalHandle, type Line } from './journal-file'
import { damaged, parseLine } from './journal-lines'

export interface StoreOptions {
  /** Recent entries kept in memory (entries not yet on disk are always kept too). */
  tailSize: number
  indexEvery: number
}

export class JournalStore {
  private tail: JournalEntry[] = []
  private tailOffsets: number[] = []
  /** Seq of the newest entry that left the tail (0: none did); older ones are on disk only. */
  private droppedSeq = 0
  private readonly indexSeqs: number[] = []
  private readonly indexOffsets: number[] = []
  private count = 0
  lastSeq = 0
  durableSeq = 0
  /** Bytes of the file known complete on disk. */
  durableSize = 0

  private handle: JournalHandle | undefined

  constructor(
    private readonly file: string,
    private readonly options: StoreOptions
  ) {}

  /** The file to read older entries from, once open has finished with it. */
  attach(handle: JournalHandle): void {
    this.handle = handle
  }

  /** Records an entry that starts at byte `offset` of the file. */
  add(entry: JournalEntry, offset: number): void {
    if (this.count % this.options.indexEvery === 0) {
      this.indexSeqs.push(entry.seq)
      this.indexOffsets.push(offset)
    }
    this.count++
    this.tail.push(entry)
    this.tailOffsets.push(offset)
    this.lastSeq = entry.seq
  }

  markDurable(seq: number, size: number): void {
    this.durableSeq = seq
    this.durableSize = size
    const excess = this.tail.length - this.options.tailSize
    if (excess < this.options.tailSize / 4) return
    // Trim in slices, never an entry that is not yet durable (it is not on disk to read back).
    let cut = 0
    while (cut < excess && (this.tail[cut] as JournalEntry).seq <= this.durableSeq) cut++
    // Entries sharing a line (glued by the previous release) leave the tail together.
    while (cut > 0 && cut < this.tail.length && this.tailOffsets[cut] === this.tailOffsets[cut - 1])
      cut++
    if (cut === 0 || cut >= this.tail.length) return
    this.droppedSeq = (this.tail[cut - 1] as JournalEntry).seq
    this.tail = this.tail.slice(cut)
    this.tailOffsets = this.tailOffsets.slice(cut)
  }

  /** The newest durable entries in memory, oldest first (at most `limit`). */
  recent(limit: number): JournalEntry[] {
    const end = this.durableIndexEnd()
    return this.tail.slice(Math.max(0, end - limit), end)
  }

  /** Durable entries after `afterSeq`, oldest first, at most `limit` (fewer: call again). */
  async after(afterSeq: number, limit: number): Promise<JournalEntry[]> {
    if (afterSeq >= this.durableSeq) return []
    if (afterSeq >= this.droppedSeq) {
      const from = this.firstTailIndexAfter(afterSeq)
      return this.tail.slice(from, Math.min(from + limit, this.durableIndexEnd()))
    }
    // Older than the tail: read forward from the index point at or before the first one wanted.
    const point = Math.max(0, upperBound(this.indexSeqs, afterSeq + 1) - 1)
    const found: JournalEntry[] = []
    await this.readEntries(this.indexOffsets[point] ?? 0, this.tailStartOffset(), (entry) => {
      if (entry.seq > afterSeq) found.push(entry)
      return found.length < limit
    })
    return found
  }

  /**
   * Durable entries before `beforeSeq` (default: all), NEWEST FIRST, that pass `keep`, at most
   * `limit`; `hasMore` when older matching entries remain.
   */
  async before(
    beforeSeq: number | undefined,
    limit: number,
    keep: (entry: JournalEntry) => boolean
  ): Promise<{ entries: JournalEntry[]; hasMore: boolean }> {
    const bound = beforeSeq ?? Infinity
    const found: JournalEntry[] = []
    const want = limit + 1
    for (let i = this.durableIndexEnd() - 1; i >= 0 && found.length < want; i--) {
      const entry = this.tail[i] as JournalEntry
      if (entry.seq < bound && keep(entry)) found.push(entry)
    }
    // Then the file, one index window at a time, newest window first.
    const tailStart = this.tailStartOffset()
    let point = upperBound(this.indexSeqs, Math.min(bound - 1, this.droppedSeq)) - 1
    while (found.length < want && this.droppedSeq > 0 && point >= 0) {
      const start = this.indexOffsets[point] as number
      const end = Math.min(this.indexOffsets[point + 1] ?? tailStart, tailStart)
      const window: JournalEntry[] = []
      await this.readEntries(start, end, (entry) => {
        if (entry.seq < bound && entry.seq <= this.droppedSeq && keep(entry)) window.push(entry)
      })
      for (let i = window.length - 1; i >= 0 && found.length < want; i--)
        found.push(window[i] as JournalEntry)
      point--
    }
    return { entries: found.slice(0, limit), hasMore: found.length > limit }
  }

  private durableIndexEnd(): number {
    let end = this.tail.length
    while (end > 0 && (this.tail[end - 1] as JournalEntry).seq > this.durableSeq) end--
    return end
  }

  private firstTailIndexAfter(seq: number): number {
    let lo = 0
    let hi = this.tail.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((this.tail[mid] as JournalEntry).seq <= seq) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  private tailStartOffset(): number {
    return this.tailOffsets[0] ?? this.durableSize
  }

  /** Reads the entries in [start, end) of the file; `each` returns false to stop. */
  private async readEntries(
    start: number,
    end: number,
    each: (entry: JournalEntry) => boolean | void
  ): Promise<void> {
    if (end <= start) return
    const handle = this.handle
    if (!handle) throw new Error('The journal store reads from disk only once the journal is open.')
    // Small windows are read in one call; a long forward replay streams.
    const onLine = (read: Line): boolean => {
      // Line numbers are not known from the sparse index: errors give the byte instead.
      const line = { ...read, number: 0 }
      const parsed = parseLine(line)
      if (parsed.kind === 'blank') return true
      // Open validated every line already: a bad one now means the file changed under us.
      if (parsed.kind === 'bad') throw damaged(this.file, line, parsed.problem)
      for (const item of parsed.items) {
        if (!('entry' in item)) throw damaged(this.file, line, 'an entry of the previous format')
        if (each(item.entry) === false) return false
      }
      return true
    }
    if (end - start <= 1 << 20) {
      // A window ends where an entry starts, so it ends with a newline: one read, one decode.
      eachLine(await readRange(handle, start, end - start), start, 0, onLine)
      return
    }
    await scanLines(handle, onLine, { start, end })
  }
}

/** Index of the first element greater than `value` in an ascending array. */
function upperBound(values: number[], value: number): number {
  let lo = 0
  let hi = values.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if ((values[mid] as number) <= value) lo = mid + 1
    else hi = mid
  }
  return lo
}
