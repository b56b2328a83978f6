/**
 * The journal's file primitives: the handle the journal needs (a `FileHandle` satisfies it; tests
 * inject a wrapper that writes short or fails), writing every byte, and reading lines by byte range
 * without ever holding the whole file (a 300 MB journal once took 1.09 GB to open as one string).
 */
import { open } from 'node:fs/promises'
import { AppError } from '../../shared/errors'

export interface JournalHandle {
  read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number
  ): Promise<{ bytesRead: number }>
  /** Appends (the file is opened in append mode); may write fewer bytes than asked. */
  write(buffer: Buffer, offset: number, length: number): Promise<{ bytesWritten: number }>
  datasync(): Promise<void>
  truncate(length: number): Promise<void>
  close(): Promise<void>
}

export type OpenHandle = (file: string) => Promise<JournalHandle>

/** Read and append; created private to the user (entries carry payer names and amounts). */
export const openJournalHandle: OpenHandle = (file) => open(file, 'a+', 0o600)

/** No entry comes near this; a longer "line" is damage, and reading stops holding it. */
export const MAX_LINE_BYTES = 1 << 20
const CHUNK_BYTES = 1 << 20

/**
 * Writes every byte of `data`. A nearly full disk once wrote 4,096 of 6,022 bytes without an error:
 * the rest is written by the next call, and a call that makes no progress is a failure, never a
 * silent loss.
 */
export async function writeAll(handle: JournalHandle, data: Buffer): Promise<void> {
  let done = 0
  while (done < data.length) {
    const { bytesWritten } = await handle.write(data, done, data.length - done)
    if (!(bytesWritten > 0)) {
      throw new AppError(
        'journal_failed',
        `the disk accepted ${done} of ${data.length} bytes and then none (is it full?)`
      )
    }
    done += bytesWritten
  }
}

export interface Line {
  /** 1-based line number, counted from `firstLine`. */
  number: number
  /** Byte offset of the line's first byte. */
  offset: number
  /** Bytes without the `\n`; empty when `overlong`. */
  bytes: Buffer
  /** False only for the file's last line when it does not end with `\n`. */
  terminated: boolean
  /** Length in bytes, even when the bytes were not kept. */
  length: number
  overlong: boolean
}

export interface ScanOptions {
  start?: number
  /** Stop before this byte (default: the end of the file). */
  end?: number
  firstLine?: number
  chunkBytes?: number
}

/**
 * Calls `onLine` for each line in [start, end), in order. Memory stays at one chunk plus one line:
 * a line longer than MAX_LINE_BYTES is reported as `overlong` without its bytes. `onLine` returns
 * false to stop early; `afterChunk` runs between reads (e.g. to write out what was produced).
 */
export async function scanLines(
  handle: JournalHandle,
  onLine: (line: Line) => boolean | void,
  options: ScanOptions = {},
  afterChunk?: () => Promise<void>
): Promise<{ end: number; lines: number }> {
  const chunk = Buffer.allocUnsafe(options.chunkBytes ?? CHUNK_BYTES)
  let position = options.start ?? 0
  let number = (options.firstLine ?? 1) - 1
  let carry: Buffer[] = []
  let carryBytes = 0
  let lineStart = position
  let overlong = false
  const limit = options.end ?? Infinity
  const emit = (tail: Buffer, terminated: boolean): boolean => {
    number++
    const length = carryBytes + tail.length
    const bytes = overlong ? Buffer.alloc(0) : carry.length ? Buffer.concat([...carry, tail]) : tail
    const keepGoing = onLine({ number, offset: lineStart, bytes, terminated, length, overlong })
    carry = []
    carryBytes = 0
    overlong = false
    lineStart += length + (terminated ? 1 : 0)
    return keepGoing !== false
  }
  for (;;) {
    const want = Math.min(chunk.length, limit - position)
    if (want <= 0) break
    const { bytesRead } = await handle.read(chunk, 0, want, position)
    if (bytesRead === 0) break
    position += bytesRead
    let from = 0
    for (;;) {
      const nl = chunk.indexOf(10, from)
      if (nl === -1 || nl >= bytesRead) break
      if (!emit(chunk.subarray(from, nl), true)) return { end: lineStart, lines: number }
      from = nl + 1
    }
    if (from < bytesRead) {
      const rest = chunk.subarray(from, bytesRead)
      carryBytes += rest.length
      if (carryBytes > MAX_LINE_BYTES) overlong = true
      // The chunk buffer is reused: keep a copy of what belongs to the next line.
      if (!overlong) carry.push(Buffer.from(rest))
      else carry = []
    }
    if (afterChunk) await afterChunk()
  }
  if (carryBytes > 0) {
    // `carryBytes` counts what carry held; emit() adds the empty tail to it.
    const tail = Buffer.alloc(0)
    emit(tail, false)
  }
  return { end: lineStart, lines: number }
}

/** Reads exactly [position, position + length), fewer only at the end of the file. */
export async function readRange(
  handle: JournalHandle,
  position: number,
  length: number
): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length)
  let done = 0
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done)
    if (bytesRead === 0) break
    done += bytesRead
  }
  return buffer.subarray(0, done)
}
