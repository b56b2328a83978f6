/**
 * The engine's state as the fold of its journal. Nothing else holds state that must survive a
 * restart: after a crash, replaying the journal rebuilds exactly this.
 */
import type { JournalEntry } from '../../shared/journal'
import type { BatchState, InvoiceState, RunState, TransferState } from '../../shared/snapshot'
import { runTag } from './tags'

export type { BatchState, InvoiceState, RunState, TransferState }

export class Projection {
  run: RunState | undefined
  readonly batches = new Map<string, BatchState>()
  readonly invoices = new Map<string, InvoiceState>()
  readonly transfers = new Map<string, TransferState>()
  readonly transferIdToInvoice = new Map<string, string>()
  readonly seenEvents = new Set<string>()
  /** Tags of every run this installation started (`ssim-<runId>`). */
  readonly runTags = new Set<string>()
  /** When each run of this installation started, by run id. */
  readonly runStarts = new Map<string, number>()
  /** Statuses from transfer events that arrived before we knew the transfer id. */
  readonly orphanStatuses = new Map<string, string>()
  lastSeq = 0

  /** Invoices issued by the current run. */
  currentInvoices(): InvoiceState[] {
    const runId = this.run?.runId
    return [...this.invoices.values()].filter((invoice) => invoice.runId === runId)
  }

  apply(entry: JournalEntry): void {
    this.lastSeq = entry.seq
    switch (entry.type) {
      case 'run.started':
        // Batch keys (b0, m1, ...) are per run; invoices and transfers stay, keyed by their ids.
        this.batches.clear()
        this.runTags.add(runTag(entry.runId))
        this.runStarts.set(entry.runId, entry.startedAt)
        this.run = {
          runId: entry.runId,
          plan: entry.plan,
          sizes: entry.sizes,
          startedAt: entry.startedAt,
          paused: false,
          stopped: false,
          completed: false
        }
        break
      case 'run.paused':
        if (this.run) this.run.paused = true
        break
      case 'run.resumed':
        if (this.run) this.run.paused = false
        break
      case 'run.stopped':
        if (this.run) this.run.stopped = true
        break
      case 'run.completed':
        if (this.run) this.run.completed = true
        break
      case 'batch.issuing':
        this.batches.set(entry.batch, {
          key: entry.batch,
          count: entry.count,
          dueAt: entry.dueAt,
          late: entry.late,
          refused: false,
          issued: false,
          recovered: false,
          invoiceIds: [],
          ...(entry.payer ? { payer: entry.payer } : {})
        })
        break
      case 'batch.issued': {
        const batch = this.batches.get(entry.batch)
        if (batch)
          Object.assign(batch, {
            issued: true,
            invoiceIds: entry.invoiceIds,
            recovered: entry.recovered,
            lastError: undefined
          })
        break
      }
      case 'batch.error': {
        const batch = this.batches.get(entry.batch)
        if (batch) {
          batch.lastError = entry.message
          batch.refused = entry.retryAt === null
        }
        break
      }
      case 'invoice.created':
        this.invoices.set(entry.invoiceId, {
          id: entry.invoiceId,
          runId: this.run?.runId ?? '',
          batch: entry.batch,
          amount: entry.amount,
          name: entry.name,
          taxId: entry.taxId,
          lastLog: 'created'
        })
        break
      case 'event.received':
        if (entry.verdict !== 'duplicate') this.seenEvents.add(entry.eventId)
        if (entry.subscription === 'invoice') {
          const invoice = this.invoices.get(entry.subjectId)
          if (invoice && entry.verdict === 'valid') {
            invoice.lastLog = entry.logType
            // The claim is durable with the event: a crash before Stark confirms it loses nothing.
            if (entry.credit && !invoice.credit)
              invoice.claim = {
                amount: entry.credit.amount,
                fee: entry.credit.fee,
                eventId: entry.eventId
              }
          }
        }
        break
      case 'invoice.credited': {
        const invoice = this.invoices.get(entry.invoiceId)
        if (invoice) {
          invoice.credit = { amount: entry.amount, fee: entry.fee, eventId: entry.eventId }
          delete invoice.held
        }
        break
      }
      case 'credit.suspicious': {
        const invoice = this.invoices.get(entry.invoiceId)
        if (invoice && entry.held) invoice.held = { reason: entry.reason, logIds: entry.logIds }
        break
      }
      case 'transfer.skipped':
        this.transfers.set(entry.invoiceId, {
          invoiceId: entry.invoiceId,
          externalId: '',
          amount: 0,
          attempt: 0,
          errorCount: 0,
          skipped: entry.reason
        })
        break
      case 'transfer.intent': {
        const previous = this.transfers.get(entry.invoiceId)
        if (previous?.transferId) this.transferIdToInvoice.delete(previous.transferId)
        this.transfers.set(entry.invoiceId, {
          invoiceId: entry.invoiceId,
          externalId: entry.externalId,
          amount: entry.amount,
          attempt: entry.attempt,
          errorCount: 0
        })
        break
      }
      case 'transfer.sent': {
        const transfer = this.transfers.get(entry.invoiceId)
        if (!transfer) break
        transfer.transferId = entry.transferId
        transfer.status = this.orphanStatuses.get(entry.transferId) ?? transfer.status ?? 'created'
        transfer.lastError = undefined
        this.transferIdToInvoice.set(entry.transferId, entry.invoiceId)
        break
      }
      case 'transfer.error': {
        const transfer = this.transfers.get(entry.invoiceId)
        if (transfer) {
          transfer.lastError = {
            message: entry.message,
            outcome: entry.outcome,
            retryAt: entry.retryAt
          }
          transfer.errorCount++
        }
        break
      }
      case 'transfer.status': {
        const invoiceId = this.transferIdToInvoice.get(entry.transferId)
        const transfer = invoiceId ? this.transfers.get(invoiceId) : undefined
        if (transfer) transfer.status = mergeStatus(transfer.status, entry.status)
        else
          this.orphanStatuses.set(
            entry.transferId,
            mergeStatus(this.orphanStatuses.get(entry.transferId), entry.status)
          )
        break
      }
      default:
        break
    }
  }
}

const STATUS_RANK: Record<string, number> = {
  created: 0,
  processing: 1,
  success: 2,
  failed: 2,
  canceled: 2
}

/** Events can arrive out of order: a late `processing` must not undo `success`. */
export function mergeStatus(current: string | undefined, next: string): string {
  if (!current) return next
  return (STATUS_RANK[next] ?? 0) >= (STATUS_RANK[current] ?? 0) ? next : current
}
