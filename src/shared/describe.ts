/** One human-readable line per journal entry: the CLI prints it, the renderer shows and filters it. */
import type { JournalEntry } from './journal'
import { formatBRL } from './money'

const time = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 19)

export function describeEntry(e: JournalEntry): string {
  switch (e.type) {
    case 'run.started':
      return `run ${e.runId} started: ${e.plan.batches} batches every ${e.plan.intervalMs / 60_000} min, sizes ${e.sizes.join(', ')}`
    case 'run.paused':
      return 'run paused: batches that come due now are issued on resume, marked late'
    case 'run.resumed':
      return 'run resumed'
    case 'run.stopped':
      return `run stopped (${e.reason})`
    case 'run.completed':
      return 'run complete'
    case 'batch.issuing':
      return `batch ${e.batch}: issuing ${e.count} invoice(s)${e.late ? ' (late)' : ''}`
    case 'batch.issued':
      return `batch ${e.batch}: ${e.invoiceIds.length} invoice(s) issued${e.recovered ? ' (found at Stark after a restart)' : ''}`
    case 'batch.error':
      return `batch ${e.batch}: ${e.message}${e.retryAt ? `; retrying at ${time(e.retryAt)}` : ''}`
    case 'invoice.created':
      return `invoice ${e.invoiceId}: ${formatBRL(e.amount)} to ${e.name}`
    case 'event.received':
      return `event ${e.eventId} (${e.source}): ${e.subscription} ${e.logType} ${e.subjectId} -> ${e.verdict}${e.note ? ` (${e.note})` : ''}`
    case 'webhook.rejected':
      return `webhook delivery rejected with ${e.answer}: ${e.reason}`
    case 'invoice.credited':
      return `invoice ${e.invoiceId} credited: ${formatBRL(e.amount)}, fee ${formatBRL(e.fee)}`
    case 'credit.suspicious':
      return `invoice ${e.invoiceId}: suspicious credit (${e.reason})${e.held ? '; held: nothing is sent' : "; acting on Stark's values"}`
    case 'transfer.skipped':
      return `invoice ${e.invoiceId}: no transfer (${e.reason})`
    case 'transfer.intent':
      return `transfer ${e.externalId}: sending ${formatBRL(e.amount)}`
    case 'transfer.sent':
      return `transfer ${e.externalId}: accepted by Stark as ${e.transferId}${e.recovered ? ' (found after a lost answer)' : ''}`
    case 'transfer.error':
      return `transfer ${e.externalId}: ${e.message}${e.retryAt ? `; checking and retrying at ${time(e.retryAt)}` : ''}`
    case 'transfer.status':
      return `transfer ${e.transferId}: ${e.status}`
    case 'transfer.retry':
      return `invoice ${e.invoiceId}: transfer retry #${e.attempt}`
    case 'catch-up.done':
      return `catch-up: ${e.events} missed event(s), ${e.credits} credit(s) recovered`
    case 'error':
      return `error in ${e.where}: ${e.message}`
  }
}
