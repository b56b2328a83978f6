/**
 * The durable, append-only journal: one JSON line per entry in `journal.ndjson`. Appends cost the same
 * whatever the journal's size (no file is rewritten), and concurrent appends share one write + fsync
 * (group commit), so the webhook server can answer 200 only after its entry is on disk without paying
 * one fsync per delivery. A crash can tear only the last line; `open` drops it.
 */
import { open, readFile, truncate, type FileHandle } from 'node:fs/promises'
import type { Clock } from '../time/clock'
import type { JournalBody, JournalEntry } from '../../shared/journal'

export type JournalListener = (entry: JournalEntry) => void

interface Pending {
  line: string
  resolve: () => void
  reject: (error: unknown) => void
}

export class Journal {
  private readonly listeners = new Set<JournalListener>()
  private queue: Pending[] = []
  private flushing: Promise<void> | undefined
  private closed = false
  /** Set by a failed write: memory may be ahead of disk, so nothing more is accepted. */
  private failure: Error | undefined

  private constructor(
    private readonly file: string,
    private readonly handle: FileHandle,
    private readonly clock: Clock,
    readonly entries: JournalEntry[]
  ) {}

  /** Opens (or creates) the journal and reads back what it holds. */
  static async open(file: string, clock: Clock): Promise<Journal> {
    const entries = await readEntries(file)
    const handle = await open(file, 'a')
    return new Journal(file, handle, clock, entries)
  }

  get lastSeq(): number {
    return this.entries.length === 0
      ? 0
      : (this.entries[this.entries.length - 1] as JournalEntry).seq
  }

  /**
   * Appends an entry and resolves once it is durable. Listeners hear it at once (in order), so the live
   * view never waits on the disk; the caller that must not answer early awaits the promise.
   */
  append(body: JournalBody): { entry: JournalEntry; durable: Promise<void> } {
    if (this.closed)
      throw new Error('The journal is closed: the engine was stopped. Start it again.')
    if (this.failure) {
      throw new Error(
        `The journal ${this.file} could not be written (${this.failure.message}), so nothing more is recorded or acted on. Free disk space or fix its permissions, then restart.`
      )
    }
    const entry = { ...body, seq: this.lastSeq + 1, at: this.clock.now() } as JournalEntry
    this.entries.push(entry)
    const durable = new Promise<void>((resolve, reject) => {
      this.queue.push({ line: JSON.stringify(entry) + '\n', resolve, reject })
    })
    this.schedule()
    for (const listener of this.listeners) listener(entry)
    return { entry, durable }
  }

  /** Appends and waits for the disk. */
  async write(body: JournalBody): Promise<JournalEntry> {
    const { entry, durable } = this.append(body)
    await durable
    return entry
  }

  subscribe(listener: JournalListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  async close(): Promise<void> {
    this.closed = true
    while (this.flushing) await this.flushing
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
    try {
      await this.handle.write(batch.map((p) => p.line).join(''))
      await this.handle.datasync()
      for (const p of batch) p.resolve()
    } catch (error) {
      // Listeners already heard these entries; later ones must not pile up on an unknown disk state.
      this.failure = error instanceof Error ? error : new Error(String(error))
      for (const p of batch) p.reject(error)
    }
  }
}

async function readEntries(file: string): Promise<JournalEntry[]> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  const entries: JournalEntry[] = []
  let offset = 0
  for (const line of text.split('\n')) {
    const end = offset + Buffer.byteLength(line) + 1
    if (line.trim() !== '') {
      try {
        entries.push(JSON.parse(line) as JournalEntry)
      } catch {
        if (end <= Buffer.byteLength(text)) {
          throw new Error(
            `${file} is damaged at byte ${offset}: a complete line is not JSON. Move it aside to start over.`
          )
        }
        // A torn final line from a crash mid-write: cut it off so the next append starts clean.
        await truncate(file, offset)
        break
      }
    }
    offset = end
  }
  return entries
}
