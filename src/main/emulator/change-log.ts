/**
 * The files of the emulator's change log. Each commit is one JSON line holding the records it
 * changed; lines go to segment files named after the sequence number of their first commit
 * (`emulator-state.json.log-000000000001`), so that compaction can start a new segment and delete
 * the old ones once the snapshot covers them, without renaming an open file (which Windows refuses).
 */
import { open, readdir, readFile, truncate, type FileHandle } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { AppError } from '../../shared/errors'
import type { Collection, LedgerEntry } from './types'

/** One commit: every record changed since the previous one, and the scalars as they stand. */
export interface Commit {
  seq: number
  clockNow: number
  usedIds: number
  balance: number
  /** Ledger entries from this index on (the ledger only grows). */
  ledgerFrom?: number
  ledger?: LedgerEntry[]
  put?: Partial<Record<Collection, Record<string, unknown>>>
  del?: Partial<Record<Collection, string[]>>
}

const SEQ_DIGITS = 12

export const segmentPath = (stateFile: string, firstSeq: number): string =>
  `${stateFile}.log-${String(firstSeq).padStart(SEQ_DIGITS, '0')}`

export interface SegmentFile {
  file: string
  firstSeq: number
}

/** The segments beside the state file, oldest first. */
export async function listSegments(stateFile: string): Promise<SegmentFile[]> {
  const prefix = `${basename(stateFile)}.log-`
  let names: string[]
  try {
    names = await readdir(dirname(stateFile))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  return names
    .filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)))
    .map((n) => ({ file: join(dirname(stateFile), n), firstSeq: Number(n.slice(prefix.length)) }))
    .sort((a, b) => a.firstSeq - b.firstSeq)
}

const damaged = (file: string, offset: number, why: string): AppError =>
  new AppError(
    'state_damaged',
    `The emulator's change log ${file} is damaged at byte ${offset} (${why}). Move the state ` +
      'file and its .log-* files aside to start the emulator with a new state.'
  )

/**
 * Reads a segment's commits. Only a line ended by its newline counts: a write cut short by a crash
 * can only be the last line of the last segment, and was never acknowledged (nothing is answered
 * before its fsync), so it is cut off here. Anywhere else a bad line is damage, and is reported.
 */
export async function readSegment(file: string, last: boolean): Promise<Commit[]> {
  const bytes = await readFile(file)
  const commits: Commit[] = []
  let offset = 0
  while (offset < bytes.length) {
    const end = bytes.indexOf(0x0a, offset)
    if (end === -1) break
    let commit: Commit
    try {
      commit = JSON.parse(bytes.toString('utf8', offset, end)) as Commit
    } catch {
      throw damaged(file, offset, 'a complete line is not JSON')
    }
    if (typeof commit !== 'object' || commit === null || !Number.isInteger(commit.seq))
      throw damaged(file, offset, 'a line is not a commit')
    commits.push(commit)
    offset = end + 1
  }
  if (offset < bytes.length) {
    if (!last) throw damaged(file, offset, 'an older segment ends without a newline')
    await truncate(file, offset)
  }
  return commits
}

/** The segment being appended to. Appends are serialized by the store; each one ends in fsync. */
export class Segment {
  private constructor(
    readonly file: string,
    private readonly handle: FileHandle
  ) {}

  static async open(file: string): Promise<Segment> {
    return new Segment(file, await open(file, 'a', 0o600))
  }

  /** Writes every byte (a short write is not durable) and waits for the disk. */
  async append(text: string): Promise<number> {
    const data = Buffer.from(text, 'utf8')
    let written = 0
    while (written < data.length) {
      const { bytesWritten } = await this.handle.write(data, written, data.length - written)
      if (bytesWritten <= 0) throw new Error(`could not write to ${this.file}`)
      written += bytesWritten
    }
    await this.handle.datasync()
    return data.length
  }

  async close(): Promise<void> {
    await this.handle.close()
  }
}
