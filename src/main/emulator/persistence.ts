/**
 * Durable emulator state whose cost per change follows the change, not the state: every change is a
 * commit appended to a log (group commit: the commits of one turn share a write and an fsync), and
 * now and then the whole state is written as a snapshot and the log started over. A snapshot costs as
 * much as the log it replaces at most, so over time each change is written at most about twice.
 *
 * On disk, beside the state file: `emulator-state.json` is the snapshot `{version: 2, seq, state}`
 * (the state after commit `seq`), and `emulator-state.json.log-<first seq>` are the segments of the
 * log. Opening loads the snapshot and replays the later commits; a torn last line (a crash mid-write,
 * never acknowledged) is cut off. A version 1 file (one JSON document, written by earlier releases)
 * is migrated: it becomes the first snapshot.
 *
 * Why not an embedded database: better-sqlite3 is a native module that must be built once for
 * Node (the CLI) and once for Electron's ABI (the app), and node:sqlite does not exist on Node 20.
 * The emulator keeps its state in memory anyway; it needs durability, not queries.
 */
import { open, readFile, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { AppError } from '../../shared/errors'
import {
  listSegments,
  readSegment,
  Segment,
  segmentPath,
  type Commit,
  type SegmentFile
} from './change-log'
import { COLLECTIONS, type Collection, type EmulatorState, type StarkEvent } from './types'

export const STATE_VERSION = 2

interface Snapshot {
  version: 2
  seq: number
  state: EmulatorState
}

interface ReadSnapshot extends Snapshot {
  /** Read from a version 1 file. */
  migrated: boolean
}

export interface LoadedState {
  state: EmulatorState
  /** The last commit in the state (the snapshot's, or the last replayed). */
  seq: number
  segments: SegmentFile[]
  /** True when the snapshot must be written at once (a new state or a version 1 file). */
  needsSnapshot: boolean
}

const damagedFile = (file: string, why: string): AppError =>
  new AppError(
    'state_damaged',
    `The emulator state file ${file} ${why}. Move it (and its .log-* files) aside to start the ` +
      'emulator with a new state.'
  )

/** Fills collections that older files lack, so every later step can rely on them. */
function complete(state: EmulatorState): EmulatorState {
  for (const name of COLLECTIONS) (state as unknown as Record<string, unknown>)[name] ??= {}
  state.ledger ??= []
  return state
}

async function readSnapshot(file: string): Promise<ReadSnapshot | undefined> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  let doc: { version?: unknown; seq?: unknown; state?: unknown }
  try {
    doc = JSON.parse(text) as typeof doc
  } catch {
    throw damagedFile(file, 'is not valid JSON')
  }
  if (doc.version === 1) {
    const state = { ...(doc as unknown as EmulatorState & { version?: number }) }
    delete state.version
    return { version: 2, seq: 0, state: complete(state), migrated: true }
  }
  if (doc.version !== STATE_VERSION) {
    throw new AppError(
      'state_damaged',
      `The emulator state file ${file} has version ${String(doc.version)}; this emulator reads ` +
        `versions 1 and ${STATE_VERSION}. Use the release that wrote it, or move it aside.`
    )
  }
  if (!Number.isInteger(doc.seq) || typeof doc.state !== 'object' || doc.state === null)
    throw damagedFile(file, 'has no seq or state')
  return {
    version: 2,
    seq: doc.seq as number,
    state: complete(doc.state as EmulatorState),
    migrated: false
  }
}

// --- Events name their log on disk ---

type StoredEvent = Omit<StarkEvent, 'log'> & { log?: StarkEvent['log']; logId?: string }

const logsOf = (state: EmulatorState, event: { subscription: string }): Record<string, object> =>
  event.subscription === 'invoice' ? state.invoiceLogs : state.transferLogs

/**
 * An event carries a copy of its log, which is also stored on its own (and never changes): on disk
 * the event names it instead, which makes events about a fifth of their size.
 */
export function encodeEvent(state: EmulatorState, event: StarkEvent): StoredEvent {
  if (logsOf(state, event)[event.log.id] !== event.log) return event
  const { log, ...rest } = event
  return { ...rest, logId: log.id }
}

export function encodeEvents(state: EmulatorState): Record<string, StoredEvent> {
  const out: Record<string, StoredEvent> = {}
  for (const [id, event] of Object.entries(state.events)) out[id] = encodeEvent(state, event)
  return out
}

/**
 * Gives every loaded event its log object back. Events of version 1 files carry a copy of a stored
 * log: they get the stored one, so that the next snapshot names it.
 */
function linkEventLogs(state: EmulatorState, file: string): void {
  for (const raw of Object.values(state.events) as StoredEvent[]) {
    const logs = logsOf(state, raw)
    if (raw.logId !== undefined) {
      const log = logs[raw.logId]
      if (!log) throw damagedFile(file, `names log ${raw.logId} in event ${raw.id}, which it lacks`)
      raw.log = log as StarkEvent['log']
      delete raw.logId
    } else if (raw.log) {
      const twin = logs[raw.log.id]
      if (twin && JSON.stringify(twin) === JSON.stringify(raw.log))
        raw.log = twin as StarkEvent['log']
    }
  }
}

/** Applies one commit; every step is idempotent, so a commit the snapshot already holds is harmless. */
export function applyCommit(state: EmulatorState, commit: Commit): void {
  const records = state as unknown as Record<Collection, Record<string, unknown>>
  for (const [name, puts] of Object.entries(commit.put ?? {}) as [Collection, object][])
    Object.assign(records[name], puts)
  for (const [name, ids] of Object.entries(commit.del ?? {}) as [Collection, string[]][])
    for (const id of ids) delete records[name][id]
  if (commit.ledgerFrom !== undefined) {
    state.ledger.length = Math.min(state.ledger.length, commit.ledgerFrom)
    state.ledger.push(...(commit.ledger ?? []))
  }
  state.clockNow = commit.clockNow
  state.usedIds = commit.usedIds
  state.balance = commit.balance
}

/** Loads the snapshot and the commits after it; creates nothing on disk. */
export async function loadState(file: string, fresh: () => EmulatorState): Promise<LoadedState> {
  const snapshot = await readSnapshot(file)
  const segments = await listSegments(file)
  if (!snapshot) {
    if (segments.length > 0) throw damagedFile(file, 'is missing while its change log is there')
    return { state: complete(fresh()), seq: 0, segments: [], needsSnapshot: true }
  }
  if (snapshot.migrated && segments.length > 0)
    throw damagedFile(
      file,
      'is a version 1 file, but change log files of a later version are beside it'
    )
  const { state } = snapshot
  let seq = snapshot.seq
  for (const [i, segment] of segments.entries()) {
    for (const commit of await readSegment(segment.file, i === segments.length - 1)) {
      if (commit.seq <= seq) continue
      if (commit.seq !== seq + 1)
        throw damagedFile(file, `has a gap in its change log: commit ${seq + 1} is missing`)
      applyCommit(state, commit)
      seq = commit.seq
    }
  }
  linkEventLogs(state, file)
  return { state, seq, segments, needsSnapshot: snapshot.migrated }
}

/** Makes a rename or a new file in `dir` durable. Windows cannot open a folder: it has no need. */
export async function syncDir(dir: string): Promise<void> {
  let handle
  try {
    handle = await open(dir, 'r')
    await handle.sync()
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EACCES') throw error
  } finally {
    await handle?.close()
  }
}

/** Replaces the snapshot atomically: a crash leaves the old one or the new one, never a mix. */
export async function writeSnapshot(file: string, text: string): Promise<number> {
  const temp = `${file}.tmp-${process.pid}`
  const handle = await open(temp, 'w', 0o600)
  let size: number
  try {
    const data = Buffer.from(text, 'utf8')
    size = data.length
    let written = 0
    while (written < data.length) {
      const { bytesWritten } = await handle.write(data, written, data.length - written)
      if (bytesWritten <= 0) throw new Error(`could not write ${temp}`)
      written += bytesWritten
    }
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await rename(temp, file)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
  await syncDir(dirname(file))
  return size
}

export const snapshotText = (state: EmulatorState, seq: number): string =>
  JSON.stringify({ version: STATE_VERSION, seq, state: { ...state, events: encodeEvents(state) } })

export { Segment, segmentPath }
