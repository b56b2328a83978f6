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

export function stepsOf(invoice: InvoiceState & { transfer: TransferState | null }): InvoiceSteps {
  const paid =
    Boolean(invoice.credit) || invoice.lastLog === 'paid' || invoice.lastLog === 'credited'
  const dead =
    invoice.lastLog === 'expired' || invoice.lastLog === 'canceled' || invoice.lastLog === 'voided'
  return {
    issued: 'done',
    paid: paid ? 'done' : dead ? 'bad' : 'todo',
    credited: invoice.credit ? 'done' : invoice.held ? 'bad' : paid ? 'now' : 'todo',
    transfer: transferText(invoice.transfer)
  }
}

/** The invoice's last Stark status in words. */
export function statusWord(invoice: InvoiceState): string {
  if (invoice.credit) return 'credited'
  if (invoice.held) return `credit held: ${invoice.held.reason}`
  return invoice.lastLog ?? 'created'
}
