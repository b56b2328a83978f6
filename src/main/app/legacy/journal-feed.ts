/**
 * A `JournalFeed` over today's journal, whose listeners are called inside `append` and whose
 * history the facade does not expose. Temporary: the journal rewrite gives the facade
 * `subscribe({ afterSeq }, onBatch)` and `entries({ beforeSeq, limit, filter })` themselves, and
 * this file goes away.
 *
 * It listens synchronously (so it misses nothing), reads what was on disk before it listened, and
 * hands entries to subscribers later and in batches, so a subscriber that throws (a closed window)
 * is detached without ever reaching the engine's `append`.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { EntryFilter, EntryKind } from '../../../shared/contract'
import { describeEntry } from '../../../shared/describe'
import type { JournalEntry } from '../../../shared/journal'
import type { JournalFeed } from '../ports'

const MAX_BATCH = 1000

interface Subscriber {
  cursor: number
  onBatch: (entries: JournalEntry[]) => void
  scheduled: boolean
}

export interface LegacyJournalSource {
  subscribe(listener: (entry: JournalEntry) => void): () => void
}

function readHistory(stateDir: string): JournalEntry[] {
  let text: string
  try {
    text = readFileSync(join(stateDir, 'journal.ndjson'), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  const entries: JournalEntry[] = []
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    try {
      entries.push(JSON.parse(line) as JournalEntry)
    } catch {
      // A torn last line: the journal itself cuts it off on open.
    }
  }
  return entries
}

/** Index of the first entry with seq > `seq` (entries are in seq order). */
function firstAfter(entries: readonly JournalEntry[], seq: number): number {
  let lo = 0
  let hi = entries.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if ((entries[mid] as JournalEntry).seq <= seq) lo = mid + 1
    else hi = mid
  }
  return lo
}

// --- A stand-in for the shared journal filter (src/shared/journal-filter.ts, being written) ---

const KINDS: Record<string, EntryKind> = {
  run: 'runs',
  batch: 'invoices',
  invoice: 'invoices',
  event: 'events',
  'catch-up': 'events',
  webhook: 'rejected',
  transfer: 'transfers',
  error: 'errors'
}

function kindOf(entry: JournalEntry): EntryKind {
  if (entry.type === 'batch.error' || entry.type === 'transfer.error') return 'errors'
  return KINDS[entry.type.split('.')[0] as string] ?? 'errors'
}

export function matchesFilter(entry: JournalEntry, filter: EntryFilter | undefined): boolean {
  if (!filter) return true
  if (filter.kinds && filter.kinds.length > 0 && !filter.kinds.includes(kindOf(entry))) return false
  const text = filter.text?.trim().toLowerCase()
  if (!text) return true
  const fields = Object.values(entry).filter((v) => typeof v === 'string' || typeof v === 'number')
  return `${fields.join(' ')} ${describeEntry(entry)}`.toLowerCase().includes(text)
}

// --- The feed ---

export function legacyJournalFeed(
  source: LegacyJournalSource,
  stateDir: string,
  onListenerError: (error: unknown) => void
): JournalFeed & { close(): void } {
  const live: JournalEntry[] = []
  const unsubscribe = source.subscribe((entry) => {
    live.push(entry)
    for (const sub of subscribers) schedule(sub)
  })
  // Read after listening, synchronously: nothing can be appended in between, and a later entry
  // is in `live` only.
  const all = readHistory(stateDir)
  const known = all.length > 0 ? (all[all.length - 1] as JournalEntry).seq : 0
  for (const entry of live) if (entry.seq > known) all.push(entry)
  live.length = 0
  const subscribers = new Set<Subscriber>()

  const sync = (): void => {
    const last = all.length > 0 ? (all[all.length - 1] as JournalEntry).seq : 0
    for (const entry of live) if (entry.seq > last) all.push(entry)
    live.length = 0
  }

  function schedule(sub: Subscriber): void {
    if (sub.scheduled) return
    sub.scheduled = true
    setImmediate(() => deliver(sub))
  }

  function deliver(sub: Subscriber): void {
    sub.scheduled = false
    if (!subscribers.has(sub)) return
    sync()
    const start = firstAfter(all, sub.cursor)
    if (start >= all.length) return
    const batch = all.slice(start, start + MAX_BATCH)
    sub.cursor = (batch[batch.length - 1] as JournalEntry).seq
    try {
      sub.onBatch(batch)
    } catch (error) {
      subscribers.delete(sub)
      onListenerError(error)
      return
    }
    if (start + MAX_BATCH < all.length) schedule(sub)
  }

  return {
    subscribe({ afterSeq }, onBatch) {
      const sub: Subscriber = { cursor: afterSeq, onBatch, scheduled: false }
      subscribers.add(sub)
      schedule(sub)
      return () => subscribers.delete(sub)
    },
    async entries({ beforeSeq, limit, filter }) {
      sync()
      const out: JournalEntry[] = []
      let i = beforeSeq === undefined ? all.length - 1 : firstAfter(all, beforeSeq - 1) - 1
      for (; i >= 0 && out.length < limit; i--) {
        const entry = all[i] as JournalEntry
        if (matchesFilter(entry, filter)) out.push(entry)
      }
      let hasMore = false
      for (; i >= 0; i--) {
        if (matchesFilter(all[i] as JournalEntry, filter)) {
          hasMore = true
          break
        }
      }
      return { entries: out, hasMore }
    },
    lastSeq() {
      sync()
      return all.length > 0 ? (all[all.length - 1] as JournalEntry).seq : 0
    },
    close() {
      unsubscribe()
      subscribers.clear()
    }
  }
}
