/**
 * The run an entry belongs to, computed in one place for every append (and for entries of the
 * previous release, which carried none, while they are folded on open). An invoice, its events, its
 * credit and its transfer belong to the run that issued the invoice, which may be an earlier one; an
 * entry outside any run (a stranger's rejected delivery, a catch-up sweep over every run) has none.
 */
import type { JournalBody } from '../../shared/journal'

/** The part of the projection this needs, read before the entry is applied. */
export interface RunLookup {
  readonly run?: { runId: string } | undefined
  readonly invoices: ReadonlyMap<string, { runId: string }>
  readonly transferIdToInvoice: ReadonlyMap<string, string>
}

export function runIdOf(body: JournalBody, state: RunLookup): string | null {
  const current = state.run?.runId ?? null
  const ofInvoice = (invoiceId: string | null | undefined): string | null =>
    (invoiceId ? state.invoices.get(invoiceId)?.runId : undefined) || null
  switch (body.type) {
    case 'run.started':
      return body.runId
    case 'run.paused':
    case 'run.resumed':
    case 'run.stopped':
    case 'run.completed':
    case 'batch.issuing':
    case 'batch.issued':
    case 'batch.error':
    case 'invoice.created':
    case 'error':
      return current
    case 'invoice.credited':
    case 'credit.suspicious':
    case 'transfer.skipped':
    case 'transfer.intent':
    case 'transfer.sent':
    case 'transfer.error':
    case 'transfer.retry':
      return ofInvoice(body.invoiceId)
    case 'transfer.status':
      return ofInvoice(body.invoiceId ?? state.transferIdToInvoice.get(body.transferId))
    case 'event.received':
      if (body.credit) return ofInvoice(body.credit.invoiceId)
      if (body.subscription === 'invoice') return ofInvoice(body.subjectId)
      if (body.subscription === 'transfer')
        return ofInvoice(state.transferIdToInvoice.get(body.subjectId))
      return null
    case 'webhook.rejected':
    case 'catch-up.done':
    case 'journal.repaired':
    case 'tunnel.state':
      return null
  }
}
