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
  /** 1-based line number, counted from `firstLine` (0 when not known). */
  number: number
  /** Byte offset of the line's first byte. */
  offset: number
  /** The line without its `\n`; empty when `overlong`. */
  text: string
  /** False only for the file's last line when it does not end with `\n`. */
  terminated: boolean
  /** Length in bytes, even when the text was not kept. */
  length: number
  overlong: boolean
}

export type OnLine = (line: Line) => boolean | void

/**
 * Calls `onLine` for every `\n`-terminated line of `segment`, decoding it once (per-line decoding
 * costs a fifth of opening 100,000 entries). Byte offsets come from the bytes themselves unless the
 * segment is plain ASCII, so a multi-byte name or a stray invalid byte never shifts them.
 */
export function eachLine(
  segment: Buffer,
  offset: number,
  number: number,
  onLine: OnLine
): { offset: number; number: number; stopped: boolean } {
  const text = segment.toString('utf8')
  const ascii = text.length === segment.length
  let from = 0
  let byte = 0
  for (;;) {
    const nl = text.indexOf('\n', from)
    if (nl === -1) return { offset, number, stopped: false }
    const byteNl = ascii ? nl : segment.indexOf(10, byte)
    const length = byteNl - byte
    const overlong = length > MAX_LINE_BYTES
    number++
    const keepGoing = onLine({
      number,
      offset,
      text: overlong ? '' : text.slice(from, nl),
      terminated: true,
      length,
      overlong
    })
    offset += length + 1
    from = nl + 1
    byte = byteNl + 1
    if (keepGoing === false) return { offset, number, stopped: true }
  }
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
 * a line longer than MAX_LINE_BYTES is reported as `overlong` without its text. `onLine` returns
 * false to stop early; `afterChunk` runs between reads (e.g. to write out what was produced).
 */
export async function scanLines(
  handle: JournalHandle,
  onLine: OnLine,
  options: ScanOptions = {},
  afterChunk?: () => Promise<void>
): Promise<{ end: number; lines: number }> {
  const chunk = Buffer.allocUnsafe(options.chunkBytes ?? CHUNK_BYTES)
  let position = options.start ?? 0
  let number = (options.firstLine ?? 1) - 1
  // The start of a line that continues into the next chunk (dropped once it is overlong).
  let carry: Buffer[] = []
  let carryBytes = 0
  let overlong = false
  let lineStart = position
  const limit = options.end ?? Infinity
  for (;;) {
    const want = Math.min(chunk.length, limit - position)
    if (want <= 0) break
    const { bytesRead } = await handle.read(chunk, 0, want, position)
    if (bytesRead === 0) break
    position += bytesRead
    const last = chunk.lastIndexOf(10, bytesRead - 1)
    let from = 0
    if (last !== -1) {
      if (carryBytes > 0) {
        // The carried line ends at this chunk's first newline.
        const nl = chunk.indexOf(10)
        if (overlong) {
          const length = carryBytes + nl
          number++
          const line = { number, offset: lineStart, text: '', terminated: true, length, overlong }
          lineStart += length + 1
          if (onLine(line) === false) return { end: lineStart, lines: number }
        } else {
          carry.push(chunk.subarray(0, nl + 1))
          const done = eachLine(Buffer.concat(carry), lineStart, number, onLine)
          ;({ offset: lineStart, number } = done)
          if (done.stopped) return { end: lineStart, lines: number }
        }
        from = nl + 1
        carry = []
        carryBytes = 0
        overlong = false
      }
      if (from <= last) {
        const done = eachLine(chunk.subarray(from, last + 1), lineStart, number, onLine)
        ;({ offset: lineStart, number } = done)
        if (done.stopped) return { end: lineStart, lines: number }
      }
      from = last + 1
    }
    if (from < bytesRead) {
      carryBytes += bytesRead - from
      if (carryBytes > MAX_LINE_BYTES) overlong = true
      // The chunk buffer is reused: keep a copy of what belongs to the next line.
      carry = overlong ? [] : [...carry, Buffer.from(chunk.subarray(from, bytesRead))]
    }
    if (afterChunk) await afterChunk()
  }
  if (carryBytes > 0) {
    number++
    const text = overlong ? '' : Buffer.concat(carry).toString('utf8')
    onLine({ number, offset: lineStart, text, terminated: false, length: carryBytes, overlong })
    lineStart += carryBytes
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
