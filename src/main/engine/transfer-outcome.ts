/**
 * The one definition of where a transfer stands. Completion, the user's retry, the invariants and the
 * totals all ask here, so that a status cannot count as finished in one place and pending in another
 * (a `canceled` transfer used to block completion forever and refuse every retry).
 */
import type { TransferState } from '../../shared/snapshot'

export type TransferOutcome =
  /** Not yet at Stark, or at Stark and still moving (created, processing, or a status we do not know). */
  | 'pending'
  | 'succeeded'
  /** Stark failed it (e.g. no balance). */
  | 'failed'
  /** Canceled at Stark before it was processed. */
  | 'canceled'
  /** Stark refused the creation call (400): it never existed. */
  | 'rejected'
  /** Nothing to send (amount minus fee is zero or less). */
  | 'skipped'

/** Stark's transfer statuses after which nothing more happens to the transfer. */
const FINAL_AT_STARK: ReadonlyMap<string, TransferOutcome> = new Map([
  ['success', 'succeeded'],
  ['failed', 'failed'],
  ['canceled', 'canceled']
])

export function transferOutcome(transfer: TransferState): TransferOutcome {
  if (transfer.skipped) return 'skipped'
  const final = transfer.status ? FINAL_AT_STARK.get(transfer.status) : undefined
  if (final) return final
  if (!transfer.transferId && transfer.lastError?.outcome === 'rejected') return 'rejected'
  return 'pending'
}

/** Nothing more will happen to it by itself: the run may complete. */
export const isFinished = (transfer: TransferState): boolean =>
  transferOutcome(transfer) !== 'pending'

/** Finished without moving the money: the user may send a new attempt. */
export const isRetryable = (transfer: TransferState): boolean => {
  const outcome = transferOutcome(transfer)
  return outcome === 'failed' || outcome === 'canceled' || outcome === 'rejected'
}

/** Not yet accepted by Stark, and neither refused nor skipped: the outbox still owes the call. */
export const needsSending = (transfer: TransferState): boolean =>
  !transfer.skipped && !transfer.transferId && transfer.lastError?.outcome !== 'rejected'

/** A transfer record at Stark that has moved or may still move money. */
export const isLiveAtStark = (status: string): boolean => {
  const final = FINAL_AT_STARK.get(status)
  return final === undefined || final === 'succeeded'
}

/** A status at Stark after which nothing more happens to the transfer. */
export const isFinalAtStark = (status: string | undefined): boolean =>
  status !== undefined && FINAL_AT_STARK.has(status)
