/**
 * An exclusive lock on a state folder, so two processes never drive one journal (two did: batches
 * issued twice, 92 duplicate sequence numbers, a run that never completed, both "ok").
 *
 * proper-lockfile does the locking (an atomic mkdir of `state.lock`, kept fresh by touching its
 * mtime; a lock left by a dead process goes stale after `stale` ms). Beside it, `state.lock.owner`
 * names the holder (pid, host, since), so a second process is refused with a message naming the pid;
 * it records the lock directory's inode, so an owner file left by an earlier holder is never taken
 * for the current one. When the recorded holder is a process of this host that no longer exists
 * (SIGKILL, a crash, a power cut), the lock is taken over at once instead of after `stale` ms; a
 * `state.lock.takeover` directory makes two processes taking over the same dead lock do it one
 * at a time.
 */
import { hostname } from 'node:os'
import { mkdir, readFile, rm, rmdir, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import lockfile from 'proper-lockfile'
import writeFileAtomic from 'write-file-atomic'
import { AppError } from '../../shared/errors'
import type { RealTime } from '../time/clock'

export interface LockOwner {
  pid: number
  host: string
  /** Wall time (ISO) the lock was taken. */
  since: string
  /** Identifies the lock directory this record describes (see the module comment). */
  lockIno: number
  lockBirthMs: number
}

export interface FolderLock {
  readonly owner: LockOwner
  /** Releases the lock; idempotent. */
  release(): Promise<void>
}

export interface LockOptions {
  realTime: RealTime
  /** The lock was lost while held (its directory removed or taken): stop writing at once. */
  onCompromised: (error: Error) => void
  /**
   * How long a holder without an owner record is waited for (default: `staleMs` + 2 s). A live
   * holder writes its record within milliseconds of taking the lock; one killed in between leaves a
   * lock that goes stale after `staleMs`, and is then taken over.
   */
  waitMs?: number
  /** A holder that stopped refreshing the lock this long ago is presumed dead (default 10 s). */
  staleMs?: number
}

const LOCK = 'state.lock'
const OWNER = 'state.lock.owner'
const TAKEOVER = 'state.lock.takeover'
/** A takeover takes milliseconds; one older than this was abandoned by a crash. */
const TAKEOVER_STALE_MS = 10_000

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function lockDirId(dir: string): Promise<{ ino: number; birthMs: number } | undefined> {
  try {
    const s = await stat(join(dir, LOCK))
    return { ino: s.ino, birthMs: Math.floor(s.birthtimeMs) }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

/** The holder of the current lock directory, if its owner record describes it. */
async function currentOwner(dir: string): Promise<LockOwner | undefined> {
  const id = await lockDirId(dir)
  if (!id) return undefined
  let owner: LockOwner
  try {
    owner = JSON.parse(await readFile(join(dir, OWNER), 'utf8')) as LockOwner
  } catch {
    return undefined
  }
  return owner.lockIno === id.ino && owner.lockBirthMs === id.birthMs ? owner : undefined
}

/** Removes the lock of a dead holder, unless someone else got there first. */
async function takeOver(dir: string, dead: LockOwner, realTime: RealTime): Promise<void> {
  const gate = join(dir, TAKEOVER)
  try {
    await mkdir(gate)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    const age = realTime() - (await stat(gate).catch(() => ({ mtimeMs: realTime() }))).mtimeMs
    if (age > TAKEOVER_STALE_MS) await rm(gate, { recursive: true, force: true })
    return
  }
  try {
    const owner = await currentOwner(dir)
    if (owner && owner.pid === dead.pid && owner.since === dead.since) {
      await unlink(join(dir, OWNER)).catch(() => undefined)
      await rmdir(join(dir, LOCK)).catch(() => undefined)
    }
  } finally {
    await rmdir(gate).catch(() => undefined)
  }
}

function lockedBy(dir: string, owner: LockOwner | undefined): AppError {
  const who = owner
    ? `process ${owner.pid}${owner.host === hostname() ? '' : ` on ${owner.host}`} (since ${owner.since})`
    : 'another process'
  return new AppError(
    'state_locked',
    `The state folder ${dir} is in use by ${who}. Stop that process first (Ctrl-C in its terminal, or quit the app using it), or choose another state folder.`
  )
}

/** Takes the lock on `dir` (which must exist), or throws `state_locked` naming the holder. */
export async function lockFolder(dir: string, options: LockOptions): Promise<FolderLock> {
  const staleMs = options.staleMs ?? 10_000
  const deadline = options.realTime() + (options.waitMs ?? staleMs + 2_000)
  let release: (() => Promise<void>) | undefined
  for (;;) {
    try {
      release = await lockfile.lock(dir, {
        lockfilePath: join(dir, LOCK),
        realpath: false,
        stale: staleMs,
        retries: 0,
        onCompromised: options.onCompromised
      })
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error
      const owner = await currentOwner(dir)
      if (owner && owner.host === hostname() && !alive(owner.pid)) {
        await takeOver(dir, owner, options.realTime)
        continue
      }
      // No record yet: the holder has just made the lock and is writing it (or died doing so).
      if (owner || options.realTime() > deadline) throw lockedBy(dir, owner)
      await sleep(100)
    }
  }
  const id = await lockDirId(dir)
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    since: new Date(options.realTime()).toISOString(),
    lockIno: id?.ino ?? 0,
    lockBirthMs: id?.birthMs ?? 0
  }
  try {
    await writeFileAtomic(join(dir, OWNER), JSON.stringify(owner), { mode: 0o600 })
  } catch (error) {
    await release().catch(() => undefined)
    throw error
  }
  let released = false
  return {
    owner,
    async release() {
      if (released) return
      released = true
      await unlink(join(dir, OWNER)).catch(() => undefined)
      // Already released when the lock was compromised: nothing left to do.
      await release?.().catch(() => undefined)
    }
  }
}
