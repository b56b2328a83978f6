/**
 * Per-installation settings that must not change between runs: the installation's id (every invoice
 * it issues carries `ssim-i-<id>`, so Stark can tell what this folder issued even if its journal is
 * lost) and the random secret path segment of the webhook URL (so a guessed URL cannot even reach
 * the signature check).
 *
 * A folder that was used before never silently gets a new identity: a new secret would leave the old
 * webhook registered at Stark, retrying into the void, and a new id would hide the folder's invoices.
 */
import { randomBytes } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import writeFileAtomic from 'write-file-atomic'
import { AppError } from '../../shared/errors'

export interface Installation {
  installationId: string
  webhookSecret: string
}

export const INSTALLATION_FILE = 'installation.json'
export const JOURNAL_FILE = 'journal.ndjson'

/** The tag every invoice of this installation carries, beside its run's and batch's tags. */
export const installationTag = (installationId: string): string => `ssim-i-${installationId}`

const SECRET = /^[A-Za-z0-9_-]{16,}$/
const ID = /^[0-9a-f]{16}$/

export const newInstallationId = (): string => randomBytes(8).toString('hex')

/** True when the file exists and holds at least one byte. */
export async function hasContent(file: string): Promise<boolean> {
  try {
    return (await stat(file)).size > 0
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw error
  }
}

/**
 * Reads `installation.json`; undefined when there is none. A file from before installation ids
 * existed gets one (its secret is kept).
 */
export async function readInstallation(stateDir: string): Promise<Installation | undefined> {
  const file = join(stateDir, INSTALLATION_FILE)
  let parsed: Partial<Installation>
  try {
    parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<Installation>
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new AppError(
      'state_damaged',
      `${file} could not be read (${(error as Error).message}). It holds this installation's webhook secret: restore it from a backup, or start over in a new state folder.`
    )
  }
  if (typeof parsed?.webhookSecret !== 'string' || !SECRET.test(parsed.webhookSecret)) {
    throw new AppError(
      'state_damaged',
      `${file} holds no valid webhook secret. Restore it from a backup, or start over in a new state folder.`
    )
  }
  if (typeof parsed.installationId === 'string' && ID.test(parsed.installationId))
    return { installationId: parsed.installationId, webhookSecret: parsed.webhookSecret }
  const upgraded = { installationId: newInstallationId(), webhookSecret: parsed.webhookSecret }
  await writeFileAtomic(file, JSON.stringify(upgraded), { mode: 0o600 })
  return upgraded
}

/** Makes a new installation (new secret) under `installationId` (default: a new id). */
export async function createInstallation(
  stateDir: string,
  installationId = newInstallationId()
): Promise<Installation> {
  const installation = { installationId, webhookSecret: randomBytes(18).toString('base64url') }
  await writeFileAtomic(join(stateDir, INSTALLATION_FILE), JSON.stringify(installation), {
    mode: 0o600
  })
  return installation
}

/**
 * The installation of `stateDir`, made on first use. Refused when the file is gone but the folder
 * holds a journal: the folder was used, and its identity is lost (see the module comment).
 */
export async function loadInstallation(stateDir: string): Promise<Installation> {
  const existing = await readInstallation(stateDir)
  if (existing) return existing
  if (await hasContent(join(stateDir, JOURNAL_FILE))) throw lostInstallation(stateDir)
  return createInstallation(stateDir)
}

export function lostInstallation(stateDir: string): AppError {
  return new AppError(
    'state_damaged',
    `${join(stateDir, INSTALLATION_FILE)} is missing, but ${stateDir} was used before: the file held this installation's webhook secret, and Stark still has a webhook with it. Restore the file from a backup. To give up this folder instead, delete that old webhook (its URL ends in the old secret) and start over in a new state folder.`
  )
}
