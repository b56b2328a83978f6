/**
 * State folders: one per target. Each Stark (the embedded emulator, an emulator elsewhere, a sandbox
 * project) gets its own folder under a base folder by default, and the folder records which Stark it
 * was made against (`target.json`), so it is never reopened against another one: resuming a run
 * against another Stark would issue the rest of its batches there and never see its credits.
 */
import { mkdir, readFile, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import writeFileAtomic from 'write-file-atomic'
import { AppError } from '../../shared/errors'
import {
  describeIdentity,
  sameTarget,
  type TargetChoice,
  type TargetIdentity
} from '../stark/targets'

export const DEFAULT_BASE_DIR = '.ssim-state'
export const TARGET_FILE = 'target.json'
/** The embedded emulator's state file, kept in the folder of its target. */
export const EMULATOR_STATE_FILE = 'emulator-state.json'

export interface FolderRecord {
  version: 1
  kind: TargetChoice['kind']
  identity: TargetIdentity
  installationId: string
  /** Wall time (ISO) the folder was first used. */
  createdAt: string
}

const safe = (s: string): string => s.replace(/[^A-Za-z0-9.-]+/g, '_').slice(0, 80)

/** The folder a target gets under the base folder: `emulator`, `external-<host>-<port>`, `sandbox-<id>`. */
export function defaultFolderName(choice: TargetChoice): string {
  if (choice.kind === 'embedded') return 'emulator'
  if (choice.kind === 'sandbox') return `sandbox-${safe(choice.projectId)}`
  const url = new URL(choice.url)
  return `external-${safe(url.hostname)}-${url.port || '80'}`
}

/** An explicit folder wins; otherwise the target's own folder under the base folder. */
export function resolveStateDir(
  choice: TargetChoice,
  where: { stateDir?: string; baseDir?: string }
): string {
  if (where.stateDir) return resolve(where.stateDir)
  return resolve(where.baseDir ?? DEFAULT_BASE_DIR, defaultFolderName(choice))
}

/** Creates the folder (owner-only); a path that is a file gets a message, not EEXIST. */
export async function prepareFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    if ((await stat(dir)).isDirectory()) return
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'EEXIST' && code !== 'ENOTDIR') {
      throw new AppError(
        'invalid_args',
        `Cannot create the state folder ${dir} (${code ?? String(error)}). Check its permissions, or choose another state folder.`
      )
    }
  }
  throw new AppError(
    'invalid_args',
    `The state folder ${dir} is a file (or lies under one), not a folder. Move that file aside, or choose another state folder.`
  )
}

export async function exists(file: string): Promise<boolean> {
  try {
    await stat(file)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw error
  }
}

export async function readFolderRecord(dir: string): Promise<FolderRecord | undefined> {
  const file = join(dir, TARGET_FILE)
  let record: FolderRecord
  try {
    record = JSON.parse(await readFile(file, 'utf8')) as FolderRecord
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw damaged(file, (error as Error).message)
  }
  const identity = record?.identity as Partial<TargetIdentity> | undefined
  if (
    record?.version !== 1 ||
    typeof record.installationId !== 'string' ||
    !(identity?.kind === 'sandbox' || identity?.kind === 'emulator')
  )
    throw damaged(file, 'it is not a target record')
  return record
}

const damaged = (file: string, why: string): AppError =>
  new AppError(
    'state_damaged',
    `${file} could not be read (${why}). It says which Stark this folder belongs to: restore it from a backup, or start over in a new state folder.`
  )

export async function writeFolderRecord(dir: string, record: FolderRecord): Promise<void> {
  await writeFileAtomic(join(dir, TARGET_FILE), `${JSON.stringify(record, null, 2)}\n`, {
    mode: 0o600
  })
}

/**
 * Refuses a folder made against another Stark, naming both and the folder to use instead:
 * `suggested` is the target's default folder, or (when that is this very folder) one beside it
 * named for the target's identity.
 */
export function checkSameTarget(
  dir: string,
  record: FolderRecord,
  identity: TargetIdentity,
  suggested: string
): void {
  if (sameTarget(record.identity, identity)) return
  const named =
    identity.kind === 'sandbox'
      ? safe(identity.projectId)
      : `${identity.workspaceId.slice(-6)}-${identity.signingKey.replace(/[^0-9a-f]/g, '').slice(0, 6)}`
  const instead = resolve(suggested) !== resolve(dir) ? suggested : `${suggested}-${named}`
  throw new AppError(
    'state_mismatch',
    `The state folder ${dir} belongs to ${describeIdentity(record.identity)}, but this Stark is ${describeIdentity(identity)}. Its run cannot continue here. Point back at the Stark it was made with, or use a folder of this Stark's own: ${instead}`
  )
}
