/**
 * What the run's timeline draws, gathered as entries arrive: when each batch went out, and when
 * invoices were paid, credited and paid out. Only the latest run counts; a new run starts afresh.
 */
import type { JournalEntry } from '../../../shared/journal'

export interface BatchMark {
  batch: string
  at: number
  count: number
  late: boolean
}

export class RunMarks {
  runId: string | null = null
  startedAt: number | null = null
  batches: BatchMark[] = []
  payments: number[] = []
  credits: number[] = []
  transfers: number[] = []
  /** Why the run was stopped (the journal's `run.stopped` reason), or null while it was not. */
  stopReason: string | null = null
  private readonly issuing = new Map<string, { late: boolean }>()
  private readonly paid = new Set<string>()
  /** Invoices this run issued: an earlier run's late credit is not drawn on this run's lanes. */
  private readonly invoices = new Set<string>()

  add(entry: JournalEntry): void {
    switch (entry.type) {
      case 'run.started':
        this.runId = entry.runId
        this.startedAt = entry.startedAt
        this.batches = []
        this.payments = []
        this.credits = []
        this.transfers = []
        this.stopReason = null
        this.issuing.clear()
        this.paid.clear()
        this.invoices.clear()
        break
      case 'run.stopped':
        if (entry.runId === this.runId) this.stopReason = entry.reason
        break
      case 'batch.issuing':
        this.issuing.set(entry.batch, { late: entry.late })
        break
      case 'batch.issued':
        for (const id of entry.invoiceIds) this.invoices.add(id)
        this.batches.push({
          batch: entry.batch,
          at: entry.at,
          count: entry.invoiceIds.length,
          late: this.issuing.get(entry.batch)?.late ?? entry.late
        })
        break
      case 'event.received':
        // A paid log counts once per invoice, whichever delivery (webhook, catch-up) brought it.
        if (
          entry.subscription === 'invoice' &&
          entry.logType === 'paid' &&
          entry.verdict === 'valid' &&
          this.invoices.has(entry.subjectId) &&
          !this.paid.has(entry.subjectId)
        ) {
          this.paid.add(entry.subjectId)
          this.payments.push(entry.at)
        }
        break
      case 'invoice.credited':
        if (this.invoices.has(entry.invoiceId)) this.credits.push(entry.at)
        break
      case 'transfer.sent':
        if (this.invoices.has(entry.invoiceId)) this.transfers.push(entry.at)
        break
    }
  }
}
