/**
 * Ties a state folder to its Stark and its installation before anything runs in it, and refuses
 * (never silently replaces) what cannot be continued safely:
 * - a folder made against another Stark (`state_mismatch`);
 * - a folder whose `installation.json` is gone (`state_damaged`): its webhook secret is lost;
 * - a folder whose journal is gone while Stark still holds invoices tagged with its installation
 *   (`journal_missing`): a fresh run would leave their credits without transfers for good.
 */
import { join } from 'node:path'
import { AppError } from '../../shared/errors'
import {
  createInstallation,
  hasContent,
  installationTag,
  JOURNAL_FILE,
  lostInstallation,
  readInstallation,
  type Installation
} from '../engine/installation'
import type { StarkClient } from '../stark/client'
import type { TargetChoice, TargetIdentity } from '../stark/targets'
import type { RealTime } from '../time/clock'
import { withRetry, type RetryOptions } from './retry'
import {
  checkSameTarget,
  readFolderRecord,
  writeFolderRecord,
  type FolderRecord
} from './state-folder'

export interface FolderCheck {
  dir: string
  kind: TargetChoice['kind']
  identity: TargetIdentity
  stark: StarkClient
  /** The target's default folder, suggested when this one belongs to another Stark. */
  suggested: string
  realTime: RealTime
  retry?: RetryOptions
  /** Told when a folder from an earlier release is adopted (it had no target record). */
  notice?: (message: string) => void
}

/** Checks the folder against its Stark and returns its installation (made for a new folder). */
export async function openFolderIdentity(check: FolderCheck): Promise<Installation> {
  const { dir } = check
  const record = await readFolderRecord(dir)
  if (record) checkSameTarget(dir, record, check.identity, check.suggested)
  const journal = await hasContent(join(dir, JOURNAL_FILE))
  let installation = await readInstallation(dir)
  const used = record !== undefined || installation !== undefined
  if (!installation) {
    if (record || journal) throw lostInstallation(dir)
    installation = await createInstallation(dir)
  }
  if (record && record.installationId !== installation.installationId) {
    throw new AppError(
      'state_damaged',
      `${join(dir, 'installation.json')} belongs to installation ${installation.installationId}, but this folder was made by installation ${record.installationId} (was it copied from another folder?). Restore this folder's own installation.json, or start over in a new state folder.`
    )
  }
  if (used && !journal) await refuseIfStarkHoldsInvoices(check, installation)
  if (!record) {
    if (journal)
      check.notice?.(
        `${dir} comes from an earlier release: it is now recorded as the folder of this Stark.`
      )
    const fresh: FolderRecord = {
      version: 1,
      kind: check.kind,
      identity: check.identity,
      installationId: installation.installationId,
      createdAt: new Date(check.realTime()).toISOString()
    }
    await writeFolderRecord(dir, fresh)
  }
  return installation
}

async function refuseIfStarkHoldsInvoices(
  check: FolderCheck,
  installation: Installation
): Promise<void> {
  const tag = installationTag(installation.installationId)
  const invoices = await withRetry(
    "looking up this installation's invoices at Stark",
    () => check.stark.invoicesByTag(tag),
    check.retry
  )
  if (invoices.length === 0) return
  const runs = new Set(invoices.flatMap((i) => i.tags.filter((t) => /^ssim-[0-9a-f]+$/.test(t))))
    .size
  throw new AppError(
    'journal_missing',
    `${join(check.dir, JOURNAL_FILE)} is missing, but Stark holds ${invoices.length} invoices issued from this folder (${runs} run${runs === 1 ? '' : 's'}, tag ${tag}). A fresh run here would leave their credits without transfers. Restore the journal from a backup to continue. To give those invoices up instead, start over in a new state folder.`
  )
}
