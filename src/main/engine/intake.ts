/**
 * One pipeline for every event, whether it came by webhook (signature verified), by catch-up polling,
 * by a user's replay, or by reconciliation: record it durably, de-duplicate by event id, and act only
 * on `credited` logs of invoices this installation issued (other apps may share the workspace). The
 * event is a trigger: what it claims is checked against Stark's API before any money moves.
 */
import { record, type EngineContext } from './context'
import { claimDiffers } from './credit-check'
import type { EventSource, JournalBody } from '../../shared/journal'

/** The parts of an event the engine reads; the rest of Stark's payload is not trusted or needed. */
export interface IncomingEvent {
  id: string
  subscription: string
  log: {
    type: string
    invoice?: { id?: unknown; amount?: unknown; fee?: unknown; tags?: unknown }
    transfer?: { id?: unknown; status?: unknown; tags?: unknown }
  }
}

export type EventReceived = Extract<JournalBody, { type: 'event.received' }>

export type IntakeResult = 'recorded' | 'duplicate' | 'ignored'

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v)
const tagsOf = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string') : []

/** Builds the journal entry for an event; pure, so the decision is testable on its own. */
export function describeEvent(
  event: IncomingEvent,
  source: EventSource,
  runIds: ReadonlySet<string>
): EventReceived {
  const base = {
    type: 'event.received' as const,
    eventId: event.id,
    source,
    subscription: event.subscription,
    logType: event.log.type
  }
  // Every run of this installation owns its invoices for good: an earlier run's invoice may still be
  // paid after a new run began, and its money must still go out.
  const owned = (tags: unknown): boolean => tagsOf(tags).some((tag) => runIds.has(tag))
  if (event.subscription === 'invoice' && event.log.invoice) {
    const invoice = event.log.invoice
    const subjectId = typeof invoice.id === 'string' ? invoice.id : ''
    if (!owned(invoice.tags))
      return { ...base, subjectId, verdict: 'ignored', note: 'invoice not issued by this run' }
    if (event.log.type !== 'credited') return { ...base, subjectId, verdict: 'valid' }
    if (!isInt(invoice.amount) || !isInt(invoice.fee)) {
      return {
        ...base,
        subjectId,
        verdict: 'ignored',
        note: 'credited log without integer amount and fee'
      }
    }
    return {
      ...base,
      subjectId,
      verdict: 'valid',
      credit: { invoiceId: subjectId, amount: invoice.amount, fee: invoice.fee }
    }
  }
  if (event.subscription === 'transfer' && event.log.transfer) {
    const transfer = event.log.transfer
    const subjectId = typeof transfer.id === 'string' ? transfer.id : ''
    if (!owned(transfer.tags))
      return { ...base, subjectId, verdict: 'ignored', note: 'transfer not sent by this run' }
    return { ...base, subjectId, verdict: 'valid' }
  }
  return {
    ...base,
    subjectId: '',
    verdict: 'ignored',
    note: `no action for ${event.subscription} events`
  }
}

export class Intake {
  constructor(
    private readonly ctx: EngineContext,
    /** Stark may have credited this invoice: the outbox checks with Stark's API and transfers. */
    private readonly onCredit: (invoiceId: string) => void
  ) {}

  /**
   * Records the event durably and returns what it was; the caller may answer the webhook then. A
   * `credited` event's claim is part of its one entry, so no crash can keep the event without it.
   * Acting on it (reading Stark's API, then the transfer) happens afterwards, through `onCredit`.
   */
  async accept(event: IncomingEvent, source: EventSource): Promise<IntakeResult> {
    const { projection } = this.ctx
    const body = describeEvent(event, source, projection.runTags)
    if (projection.seenEvents.has(event.id)) {
      await record(this.ctx, { ...body, verdict: 'duplicate', note: undefined, credit: undefined })
      return 'duplicate'
    }
    if (body.verdict === 'valid' && event.subscription === 'transfer') {
      // The event and its status go in one journal write: after a crash between two writes the
      // event would be seen (every later delivery a duplicate) and its status lost for good.
      const received = this.ctx.journal.append(body)
      const status = this.ctx.journal.append({
        type: 'transfer.status',
        transferId: body.subjectId,
        invoiceId: projection.transferIdToInvoice.get(body.subjectId) ?? null,
        status: body.logType
      })
      await Promise.all([received.durable, status.durable])
      return 'recorded'
    }
    await record(this.ctx, body)
    if (body.verdict === 'ignored') return 'ignored'
    if (body.credit) await this.claimed(body.credit, event.id)
    return 'recorded'
  }

  private async claimed(
    claim: NonNullable<EventReceived['credit']>,
    eventId: string
  ): Promise<void> {
    const invoice = this.ctx.projection.invoices.get(claim.invoiceId)
    if (!invoice) {
      await record(this.ctx, {
        type: 'error',
        where: 'intake',
        message: `credited invoice ${claim.invoiceId} carries this installation's tag but was never recorded as issued; it will be reconciled`
      })
      return
    }
    const differs = invoice.credit ? claimDiffers(claim, invoice.credit) : undefined
    if (invoice.credit && differs) {
      await record(this.ctx, {
        type: 'credit.suspicious',
        invoiceId: invoice.id,
        eventId,
        reason: `${differs}; the credit was already confirmed, so this event changes nothing`,
        claimed: { amount: claim.amount, fee: claim.fee },
        atStark: { amount: invoice.credit.amount, fee: invoice.credit.fee },
        held: false,
        logIds: []
      })
    }
    this.onCredit(invoice.id)
  }
}
