/**
 * Every index the emulator reads instead of scanning its state: the list indexes of the query
 * routes, jobs by the record they act on, and the keys of Stark's duplicate-transfer rules. Built
 * once from the loaded state, then kept current by `update`, which the core calls for every change
 * it records (the same call that makes the store write the record).
 */
import { ListIndex } from './list-index'
import { receiverDayKey } from './transfer-validation'
import type {
  Collection,
  EmulatorState,
  EventAttempt,
  Invoice,
  InvoiceLog,
  Job,
  StarkEvent,
  Transfer,
  TransferLog,
  WebhookRecord
} from './types'

const created = (r: { created: string }): string => r.created

/** The records a job acts on: cancelling "every job of this invoice" reads only those. */
export function jobSubjects(job: Job): string[] {
  switch (job.kind) {
    case 'event.deliver':
      return [`event:${job.eventId}`, `webhook:${job.webhookId}`]
    case 'transfer.process':
    case 'transfer.settle':
      return [`transfer:${job.transferId}`]
    default:
      return [`invoice:${job.invoiceId}`]
  }
}

export class JobIndex {
  private readonly bySubject = new Map<string, Set<string>>()
  private readonly subjectsOf = new Map<string, string[]>()

  get size(): number {
    return this.subjectsOf.size
  }

  ids(subject: string): string[] {
    return [...(this.bySubject.get(subject) ?? [])]
  }

  update(id: string, job: Job | undefined): void {
    for (const subject of this.subjectsOf.get(id) ?? []) {
      const ids = this.bySubject.get(subject)
      ids?.delete(id)
      if (ids?.size === 0) this.bySubject.delete(subject)
    }
    this.subjectsOf.delete(id)
    if (!job) return
    const subjects = jobSubjects(job)
    this.subjectsOf.set(id, subjects)
    for (const subject of subjects) {
      let ids = this.bySubject.get(subject)
      if (!ids) this.bySubject.set(subject, (ids = new Set()))
      ids.add(id)
    }
  }
}

/**
 * Who holds each externalId, and which transfers without one share a (receiver, amount, day) key.
 * Both are fixed when a transfer is created; whether a transfer still blocks a repeat depends on
 * its status, which the caller checks.
 */
export class TransferKeys {
  readonly externalIds = new Map<string, string>()
  private readonly receiverDays = new Map<string, string[]>()

  add(t: Transfer): void {
    if (t.externalId !== '') {
      this.externalIds.set(t.externalId, t.id)
      return
    }
    const key = receiverDayKey(t, t.scheduled.slice(0, 10))
    const ids = this.receiverDays.get(key)
    if (!ids) this.receiverDays.set(key, [t.id])
    else if (!ids.includes(t.id)) ids.push(t.id)
  }

  sharingReceiverDay(key: string): readonly string[] {
    return this.receiverDays.get(key) ?? []
  }
}

export class EmulatorIndexes {
  readonly invoices: ListIndex<Invoice>
  readonly invoiceLogs: ListIndex<InvoiceLog>
  readonly transfers: ListIndex<Transfer>
  readonly transferLogs: ListIndex<TransferLog>
  readonly events: ListIndex<StarkEvent>
  readonly attempts: ListIndex<EventAttempt>
  readonly webhooks: ListIndex<WebhookRecord>
  readonly jobs = new JobIndex()
  readonly transferKeys = new TransferKeys()

  constructor(state: EmulatorState) {
    this.invoices = new ListIndex<Invoice>(
      { orders: { created }, fields: { status: (i) => [i.status], tags: (i) => i.tags } },
      (id) => state.invoices[id]
    )
    this.invoiceLogs = new ListIndex<InvoiceLog>(
      {
        orders: { created },
        fields: { invoiceId: (l) => [l.invoice.id], type: (l) => [l.type] }
      },
      (id) => state.invoiceLogs[id]
    )
    this.transfers = new ListIndex<Transfer>(
      {
        orders: { created, updated: (t) => t.updated },
        fields: { status: (t) => [t.status], tags: (t) => t.tags }
      },
      (id) => state.transfers[id]
    )
    this.transferLogs = new ListIndex<TransferLog>(
      {
        orders: { created },
        fields: { transferId: (l) => [l.transfer.id], type: (l) => [l.type] }
      },
      (id) => state.transferLogs[id]
    )
    this.events = new ListIndex<StarkEvent>(
      { orders: { created }, fields: { isDelivered: (e) => [String(e.isDelivered)] } },
      (id) => state.events[id]
    )
    this.attempts = new ListIndex<EventAttempt>(
      {
        orders: { created },
        fields: { eventId: (a) => [a.eventId], webhookId: (a) => [a.webhookId] }
      },
      (id) => state.attempts[id]
    )
    this.webhooks = new ListIndex<WebhookRecord>(
      { orders: { created }, fields: {} },
      (id) => state.webhooks[id]
    )
    this.invoices.load(Object.values(state.invoices))
    this.invoiceLogs.load(Object.values(state.invoiceLogs))
    this.transfers.load(Object.values(state.transfers))
    this.transferLogs.load(Object.values(state.transferLogs))
    this.events.load(Object.values(state.events))
    this.attempts.load(Object.values(state.attempts))
    this.webhooks.load(Object.values(state.webhooks))
    for (const [id, job] of Object.entries(state.jobs)) this.jobs.update(id, job)
    for (const transfer of Object.values(state.transfers)) this.transferKeys.add(transfer)
  }

  /** Follows the change of one record (its current value in the state, or its deletion). */
  update(state: EmulatorState, collection: Collection, id: string): void {
    switch (collection) {
      case 'invoices':
        return this.invoices.update(id, state.invoices[id])
      case 'invoiceLogs':
        return this.invoiceLogs.update(id, state.invoiceLogs[id])
      case 'transfers': {
        const transfer = state.transfers[id]
        if (transfer) this.transferKeys.add(transfer)
        return this.transfers.update(id, transfer)
      }
      case 'transferLogs':
        return this.transferLogs.update(id, state.transferLogs[id])
      case 'events':
        return this.events.update(id, state.events[id])
      case 'attempts':
        return this.attempts.update(id, state.attempts[id])
      case 'webhooks':
        return this.webhooks.update(id, state.webhooks[id])
      case 'jobs':
        return this.jobs.update(id, state.jobs[id])
      default:
        return
    }
  }
}
