/** One human-readable line per journal entry: the CLI prints it, the renderer shows and filters it. */
import type { EntryOf, JournalEntry, JournalRepair } from './journal'
import { formatBRL } from './money'

const time = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 19)

const reasons = (byReason: Record<string, number>): string =>
  Object.entries(byReason)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, count]) => `${reason} x${count}`)
    .join(', ')

/** What opening the journal did to its tail, in words the CLI and the log can show. */
export function repairText(r: JournalRepair): string {
  switch (r.kind) {
    case 'torn-line-cut':
      return `cut off a torn last line ${r.line} (${r.bytes} bytes at byte ${r.offset}) left by a crash mid-write; it was never acknowledged`
    case 'newline-added':
      return `added the missing newline after the last entry (line ${r.line}, seq ${r.seq}) so the next entry does not glue to it`
    case 'glued-line-split':
      return `line ${r.line} held ${r.entries} entries glued together by the previous release; they were separated`
  }
}

function tunnelText(e: EntryOf<'tunnel.state'>): string {
  const what = e.mode === 'localtunnel' ? 'tunnel' : 'public URL'
  switch (e.state) {
    case 'connecting':
      return `${what}: connecting${e.url ? ` (${e.url})` : ''}`
    case 'up':
      return `${what} up at ${e.url ?? '?'}: Stark's webhooks reach this app through it${e.notice ? ` (${e.notice})` : ''}`
    case 'down':
      return `${what} down: ${e.reason ?? 'no reason given'}${e.nextTryAt ? ` Next try at ${time(e.nextTryAt)} (wall time).` : ''}`
    case 'stopped':
      return `${what} closed`
  }
}

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
      return 'suppressed' in e
        ? `webhook: ${e.suppressed} more rejected deliveries between ${time(e.from)} and ${time(e.to)} (wall time) were counted, not journaled one by one: ${reasons(e.byReason)}`
        : `webhook delivery rejected with ${e.answer}: ${e.reason}`
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
      return `transfer ${e.transferId}: ${e.status}${e.invoiceId ? ` (invoice ${e.invoiceId})` : ''}`
    case 'transfer.retry':
      return `invoice ${e.invoiceId}: transfer retry #${e.attempt}`
    case 'catch-up.done':
      return `catch-up: ${e.events} missed event(s), ${e.credits} credit(s) recovered`
    case 'tunnel.state':
      return tunnelText(e)
    case 'error':
      return `error in ${e.where}: ${e.message}`
    case 'journal.repaired':
      return `journal ${e.file} repaired on open: ${[
        ...e.repairs.map(repairText),
        ...(e.migrated
          ? [
              `${e.migrated.entries} entries migrated from the previous format (original kept as ${e.migrated.backup})`
            ]
          : [])
      ].join('; ')}`
  }
}
