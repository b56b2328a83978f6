/**
 * Opening a journal: stream the file line by line, validate each entry and fold it into the state,
 * then repair the tail (and say so). Memory stays at one chunk plus the store's bounded tail.
 *
 * - A last line that is not JSON is a write torn by a crash: it was never acknowledged, so it is
 *   cut off. Any other bad line refuses the file, naming the line (nothing is changed).
 * - A last line that is a whole entry but lost its `\n` gets it, so the next append cannot glue to it.
 * - Lines of the previous release (no `v`, `wall`, `runId`) and lines it glued together are
 *   migrated: the file is rewritten in the current format (run ids by folding, wall = at) beside the
 *   original, which is kept as a hard link (`<file>.v1-backup`), and the new file replaces it
 *   atomically, so a crash leaves either the old or the new journal, never none.
 */
import { copyFile, link, open, rename, rm, type FileHandle } from 'node:fs/promises'
import { constants } from 'node:fs'
import { dirname } from 'node:path'
import {
  JOURNAL_VERSION,
  type JournalBody,
  type JournalEntry,
  type JournalRepair
} from '../../shared/journal'
import { readRange, scanLines, writeAll, type JournalHandle, type Line } from './journal-file'
import { damaged, parseLine, type LineItem } from './journal-lines'
import type { JournalStore } from './journal-store'

export interface FoldHooks {
  /** Applies an entry to the engine's state (the projection), in seq order. */
  fold(entry: JournalEntry): void
  /** The run an entry belongs to, from the state before it is applied (see journal-run.ts). */
  runOf(body: JournalBody): string | null
}

export interface OpenReport {
  file: string
  entries: number
  lastSeq: number
  repairs: JournalRepair[]
  migrated?: { entries: number; backup: string }
}

export interface Opened {
  handle: JournalHandle
  size: number
  report: OpenReport
}

export async function openAndFold(
  file: string,
  handle: JournalHandle,
  store: JournalStore,
  hooks: FoldHooks,
  reopen: () => Promise<JournalHandle>
): Promise<Opened> {
  const repairs: JournalRepair[] = []
  let lastSeq = 0
  let entries = 0
  let legacy = 0
  let torn: Line | undefined
  let unterminated: { line: Line; seq: number } | undefined
  // Rewriting (migration): started at the first line that needs it.
  let rewrite: { tmp: string; prefix: number; out?: FileHandle } | undefined
  let pending: string[] = []
  let outOffset = 0

  const take = (line: Line, item: LineItem): JournalEntry => {
    const entry: JournalEntry =
      'entry' in item
        ? item.entry
        : ({
            v: JOURNAL_VERSION,
            seq: item.legacy.seq,
            at: item.legacy.at,
            wall: Math.floor(item.legacy.at),
            runId: hooks.runOf(item.legacy.body),
            ...item.legacy.body
          } as JournalEntry)
    if (entry.seq <= lastSeq) {
      throw damaged(
        file,
        line,
        `entry seq ${entry.seq} does not follow seq ${lastSeq} (were two processes writing this journal at once?)`
      )
    }
    return entry
  }

  const onLine = (line: Line): boolean => {
    const parsed = parseLine(line)
    if (parsed.kind === 'blank') {
      if (!line.terminated) torn = line
      return true
    }
    if (parsed.kind === 'bad') {
      if (!line.terminated && !parsed.json) {
        torn = line
        return true
      }
      throw damaged(file, line, parsed.problem)
    }
    // A line holds one entry unless glued, and a glued line is rewritten anyway.
    const needsRewrite = parsed.glued || !('entry' in (parsed.items[0] as LineItem))
    if (needsRewrite && !rewrite) {
      rewrite = { tmp: `${file}.migrating`, prefix: line.offset }
      outOffset = line.offset
    }
    if (parsed.glued)
      repairs.push({ kind: 'glued-line-split', line: line.number, entries: parsed.items.length })
    for (const item of parsed.items) {
      if (!('entry' in item)) legacy++
      const entry = take(line, item)
      hooks.fold(entry)
      entries++
      lastSeq = entry.seq
      if (rewrite) {
        const text = JSON.stringify(entry) + '\n'
        store.add(entry, outOffset)
        outOffset += Buffer.byteLength(text)
        pending.push(text)
      } else {
        store.add(entry, line.offset)
      }
      // What was read is on disk: the tail is trimmed as it goes, never the whole file in memory.
      store.markDurable(entry.seq, rewrite ? outOffset : line.offset + line.length + 1)
    }
    if (!line.terminated) unterminated = { line, seq: lastSeq }
    return true
  }

  const writePending = async (): Promise<void> => {
    if (!rewrite) return
    if (!rewrite.out) {
      rewrite.out = await open(rewrite.tmp, 'w', 0o600)
      // The lines before the first one to migrate are already current: copied byte for byte.
      for (let at = 0; at < rewrite.prefix; at += 1 << 20) {
        const bytes = await readRange(handle, at, Math.min(1 << 20, rewrite.prefix - at))
        await writeAll(rewrite.out, bytes)
      }
    }
    if (pending.length > 0) await writeAll(rewrite.out, Buffer.from(pending.join('')))
    pending = []
  }

  let end: number
  try {
    end = (await scanLines(handle, onLine, {}, writePending)).end
    await writePending()
  } catch (error) {
    const started = rewrite as { tmp: string; out?: FileHandle } | undefined
    await started?.out?.close().catch(() => undefined)
    if (started) await rm(started.tmp, { force: true })
    throw error
  }

  if (torn) {
    repairs.push({
      kind: 'torn-line-cut',
      line: torn.number,
      offset: torn.offset,
      bytes: torn.length
    })
    end = torn.offset
  }
  if (unterminated) {
    repairs.push({ kind: 'newline-added', line: unterminated.line.number, seq: unterminated.seq })
  }

  const finished = rewrite as { tmp: string; out?: FileHandle } | undefined
  if (finished?.out) {
    await finished.out.datasync()
    await finished.out.close()
    // Closed before the rename: Windows refuses to replace a file that is open.
    await handle.close()
    const backup = await keepBackup(file)
    await rename(finished.tmp, file)
    await syncFolder(dirname(file))
    return {
      handle: await reopen(),
      size: outOffset,
      report: { file, entries, lastSeq, repairs, migrated: { entries: legacy, backup } }
    }
  }
  if (torn) {
    await handle.truncate(end)
  }
  if (unterminated) {
    await writeAll(handle, Buffer.from('\n'))
    end += 1
  }
  if (torn || unterminated) await handle.datasync()
  return { handle, size: end, report: { file, entries, lastSeq, repairs } }
}

/** Keeps the original under a new name (a hard link: no copy) before it is replaced. */
async function keepBackup(file: string): Promise<string> {
  for (let n = 1; ; n++) {
    const backup = `${file}.v1-backup${n > 1 ? `-${n}` : ''}`
    try {
      await link(file, backup)
      return backup
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EEXIST') continue
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw error
    }
    // A file system without hard links: copy instead.
    try {
      await copyFile(file, backup, constants.COPYFILE_EXCL)
      return backup
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
  }
}

/** Makes a rename durable: fsync the folder that holds it (not possible everywhere: best effort). */
async function syncFolder(folder: string): Promise<void> {
  const dir = await open(folder, 'r').catch(() => undefined)
  if (!dir) return
  await dir.sync().catch(() => undefined)
  await dir.close()
}
