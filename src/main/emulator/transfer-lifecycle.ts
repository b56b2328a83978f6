/**
 * What happens to a transfer after it is created: persisted jobs move it created → processing →
 * success (or failed when the balance is short), and each step writes a log and emits an event, as
 * Stark's sandbox does. A cancel before processing stops the chain.
 */
import { postLedger } from './account'
import type { EmulatorCore } from './core'
import { StarkError } from './errors'
import type { Transfer, TransferLog, TransferStatus } from './types'

/**
 * Moves the transfer to `type`, stores the log with a snapshot of the transfer and emits it. Every
 * change of a transfer ends here, so this is also where it is recorded.
 */
export function writeTransferLog(
  core: EmulatorCore,
  transfer: Transfer,
  type: TransferStatus,
  errors: string[] = [],
  at: string = core.iso()
): TransferLog {
  transfer.status = type
  transfer.updated = at
  core.changed('transfers', transfer.id)
  const log: TransferLog = {
    created: at,
    errors,
    id: core.newId(),
    transfer: structuredClone(transfer),
    type
  }
  core.put('transferLogs', log.id, log)
  core.emit('transfer', log)
  return log
}

/** The money leaves when processing starts, so a short balance fails the transfer there. */
export function processTransfer(core: EmulatorCore, transferId: string): void {
  const transfer = core.state.transfers[transferId]
  // Canceled (or otherwise moved on) after the job was scheduled: nothing left to do.
  if (!transfer || transfer.status !== 'created') return
  const cost = transfer.amount + transfer.fee
  if (core.state.balance < cost) {
    const message =
      `insufficientBalance: the workspace balance of ${core.state.balance} cents does not cover ` +
      `the transfer amount of ${transfer.amount} cents plus the fee of ${transfer.fee} cents`
    writeTransferLog(core, transfer, 'failed', [message])
    return
  }
  const source = `transfer/${transfer.id}`
  const transactionIds = [
    postLedger(core, -transfer.amount, `Transfer to ${transfer.name}`, source)
  ]
  if (transfer.fee > 0) {
    transactionIds.push(
      postLedger(core, -transfer.fee, `Fee of transfer ${transfer.id}`, `${source}/fee`)
    )
  }
  transfer.transactionIds = transactionIds
  writeTransferLog(core, transfer, 'processing')
  core.schedule({
    kind: 'transfer.settle',
    transferId: transfer.id,
    at: core.now() + core.config.transferSettleDelaySeconds * 1000
  })
}

export function settleTransfer(core: EmulatorCore, transferId: string): void {
  const transfer = core.state.transfers[transferId]
  if (!transfer || transfer.status !== 'processing') return
  writeTransferLog(core, transfer, 'success')
}

const ALREADY: Record<Exclude<TransferStatus, 'created'>, string> = {
  processing: 'is already processing',
  success: 'was already sent successfully',
  failed: 'has already failed',
  canceled: 'was already canceled'
}

/** `DELETE /v2/transfer/:id`: only a transfer that has not started processing can be canceled. */
export function cancelTransfer(core: EmulatorCore, transfer: Transfer): void {
  if (transfer.status !== 'created') {
    throw StarkError.of(
      'invalidOperation',
      `Transfer ${transfer.id} ${ALREADY[transfer.status]} and can no longer be canceled`
    )
  }
  core.cancelJobs(`transfer:${transfer.id}`, ['transfer.process'])
  writeTransferLog(core, transfer, 'canceled')
}
