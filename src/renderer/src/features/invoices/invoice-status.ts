/**
 * An invoice's steps as the table and the detail show them: issued, paid, credited, and its
 * transfer's state, from the snapshot's record (the engine's own definitions).
 */
import type { InvoiceState, TransferState } from '../../../../shared/snapshot'

export type Step = 'done' | 'now' | 'todo' | 'bad'

export interface InvoiceSteps {
  issued: Step
  paid: Step
  credited: Step
  transfer: { step: Step; text: string }
}

export function transferText(transfer: TransferState | null): { step: Step; text: string } {
  if (!transfer) return { step: 'todo', text: 'none yet' }
  if (transfer.skipped) return { step: 'bad', text: `skipped: ${transfer.skipped}` }
  if (transfer.status === 'success') return { step: 'done', text: 'success' }
  if (transfer.status === 'failed') return { step: 'bad', text: 'failed' }
  if (transfer.lastError?.outcome === 'rejected') return { step: 'bad', text: 'refused by Stark' }
  if (transfer.lastError) return { step: 'now', text: 'retrying' }
  if (transfer.status) return { step: 'now', text: transfer.status }
  if (transfer.transferId) return { step: 'now', text: 'sent' }
  return { step: 'now', text: 'sending' }
}

/**
 * `runOver`: the run that issued the invoice has ended, so an unpaid invoice will not be paid by
 * it and its transfer is not "none yet" but absent because the invoice is unpaid (or overdue...).
 */
export function stepsOf(
  invoice: InvoiceState & { transfer: TransferState | null },
  runOver = false
): InvoiceSteps {
  const paid =
    Boolean(invoice.credit) || invoice.lastLog === 'paid' || invoice.lastLog === 'credited'
  const dead =
    invoice.lastLog === 'expired' || invoice.lastLog === 'canceled' || invoice.lastLog === 'voided'
  const unpaid =
    invoice.transfer || paid || !(runOver || dead)
      ? null
      : { step: 'bad' as const, text: unpaidWord(invoice.lastLog) }
  return {
    issued: 'done',
    paid: paid ? 'done' : dead ? 'bad' : 'todo',
    credited: invoice.credit ? 'done' : invoice.held ? 'bad' : paid ? 'now' : 'todo',
    transfer: unpaid ?? transferText(invoice.transfer)
  }
}

/** Why an invoice that will not be paid out has no transfer, as its Stark status says. */
function unpaidWord(lastLog: string | undefined): string {
  if (!lastLog || lastLog === 'created' || lastLog === 'registered') return 'unpaid'
  return lastLog
}

/** The invoice's last Stark status in words. */
export function statusWord(invoice: InvoiceState): string {
  if (invoice.credit) return 'credited'
  if (invoice.held) return `credit held: ${invoice.held.reason}`
  return invoice.lastLog ?? 'created'
}
