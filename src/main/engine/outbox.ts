/**
 * Exactly-once transfers. Before a transfer's intent is written, the credit is read from Stark's API
 * (the invoice and its `credited` logs): a push is a trigger, never the source of the amount. The
 * intent is journaled before the API call; a call whose outcome is unknown (timeout, 500, crash) is
 * resolved by looking the transfer up before any retry, and the externalId, derived from the invoice
 * id, makes Stark itself refuse a second transfer for the same credit.
 */
import { AppError } from '../../shared/errors'
import type { JournalBody } from '../../shared/journal'
import type { InvoiceState, TransferState } from './projection'
import {
  backoffMs,
  classifyFailure,
  inBackground,
  KeyedQueue,
  record,
  starkAppError,
  type EngineContext
} from './context'
import { claimDiffers, judgeCredit, needsInvoice, type Money } from './credit-check'
import { externalIdFor, invoiceTag, runTag } from './tags'
import { isLiveAtStark, isRetryable, needsSending, transferOutcome } from './transfer-outcome'

const DUPLICATE_CODES = new Set(['invalidExternalId', 'repeatedTransfer'])

export class Outbox {
  private readonly queue = new KeyedQueue()
  private readonly armed = new Set<string>()
  /** Failed reads of a credit from Stark, per invoice, for the backoff. */
  private readonly readFailures = new Map<string, number>()

  constructor(private readonly ctx: EngineContext) {}

  /**
   * Stark may have credited this invoice: makes sure that, if so, it has its one transfer. Safe to
   * call any number of times.
   */
  ensure(invoiceId: string): Promise<void> {
    return this.queue.run(invoiceId, () => this.step(invoiceId))
  }

  /** A user's retry of a transfer that finished without moving the money: a new attempt. */
  retry(invoiceId: string): Promise<{ attempt: number }> {
    return this.queue.run(invoiceId, async () => {
      const invoice = this.ctx.projection.invoices.get(invoiceId)
      const current = this.ctx.projection.transfers.get(invoiceId)
      if (!invoice || !current)
        throw new AppError(
          'not_found',
          `Invoice ${invoiceId} has no transfer to retry: it is not one of this installation's invoices, or it was not credited (or its credit is held as suspicious). Check the invoice in the list.`
        )
      if (current.skipped)
        throw new AppError(
          'not_retryable',
          `Invoice ${invoiceId} has no transfer to retry: ${current.skipped}.`
        )
      if (!isRetryable(current))
        throw new AppError(
          'not_retryable',
          `The transfer for invoice ${invoiceId} has not failed (${transferOutcome(current)}); wait for its outcome.`
        )
      // Whatever an earlier call may have left at Stark must be dead too, or this would pay twice.
      let atStark
      try {
        atStark = await this.ctx.stark.transfersByTag(invoiceTag(invoiceId))
      } catch (error) {
        throw starkAppError(error, `checking Stark's transfers for invoice ${invoiceId}`)
      }
      const live = atStark.find((t) => isLiveAtStark(t.status))
      if (live) {
        throw new AppError(
          'not_retryable',
          `Stark already holds transfer ${live.id} (${live.status}) for invoice ${invoiceId}; not sending another. Wait for its outcome.`
        )
      }
      const attempt = current.attempt + 1
      const confirmed = await this.confirm(invoice, (credit) =>
        credit.amount - credit.fee > 0
          ? [{ type: 'transfer.retry', invoiceId, attempt }, intentOf(invoiceId, attempt, credit)]
          : []
      )
      if (confirmed === 'unreachable')
        throw new AppError(
          'unavailable',
          `Stark could not be reached to confirm invoice ${invoiceId}'s credit; nothing was sent. Check the connection and try again.`
        )
      if (!confirmed)
        throw new AppError(
          'not_retryable',
          `Stark does not confirm invoice ${invoiceId}'s credit (see the journal's suspicious-credit entry); nothing was sent.`
        )
      const intent = this.ctx.projection.transfers.get(invoiceId)
      if (!intent || intent.attempt !== attempt)
        throw new AppError(
          'not_retryable',
          `Stark now shows invoice ${invoiceId}'s credit as amount ${confirmed.amount}, fee ${confirmed.fee}: nothing to send.`
        )
      await this.send(intent)
      return { attempt }
    })
  }

  /**
   * After a restart: resume every intent that has no answer yet, and every credit (confirmed, or
   * claimed by a recorded event) that has no intent: its event is already recorded, so no redelivery
   * or catch-up would hand it to the outbox again.
   */
  resumeAll(): void {
    const { invoices, transfers } = this.ctx.projection
    for (const invoice of invoices.values()) {
      const transfer = transfers.get(invoice.id)
      const owed = transfer
        ? needsSending(transfer)
        : Boolean(invoice.credit || (invoice.claim && !invoice.held))
      if (owed) inBackground(this.ctx, `transfer for ${invoice.id}`, this.ensure(invoice.id))
    }
  }

  idle(): Promise<void> {
    return this.queue.idle()
  }

  get busy(): boolean {
    return this.queue.size > 0
  }

  private async step(invoiceId: string): Promise<void> {
    const invoice = this.ctx.projection.invoices.get(invoiceId)
    if (!invoice || this.ctx.stopped()) return
    let transfer = this.ctx.projection.transfers.get(invoiceId)
    let fresh = false
    if (!transfer) {
      const confirmed = await this.confirm(invoice, (credit) => {
        const net = credit.amount - credit.fee
        if (net > 0) return [intentOf(invoiceId, 0, credit)]
        const reason = `amount ${credit.amount} minus fee ${credit.fee} is ${net} cents: nothing to send`
        return [{ type: 'transfer.skipped', invoiceId, reason }]
      })
      transfer = this.ctx.projection.transfers.get(invoiceId)
      if (!confirmed || confirmed === 'unreachable' || !transfer) return
      fresh = true
    }
    if (!needsSending(transfer)) return
    // An intent this process did not just write may have reached Stark (crash or lost answer):
    // look it up before sending again.
    if (!fresh && (await this.lookup(transfer))) return
    await this.send(transfer)
  }

  /**
   * Reads the credit from Stark's API and records what it found: the confirmed credit, a suspicious
   * push or log, or a credit held because Stark's own values make no sense. A confirmed credit is
   * written in one durable turn with what `next` decides (the intent, or why nothing is sent).
   * Returns the values acted on; undefined when Stark does not back a credit (not credited, or
   * held); 'unreachable' when Stark could not be read (tried again with a backoff).
   */
  private async confirm(
    invoice: InvoiceState,
    next: (credit: Money) => JournalBody[]
  ): Promise<Money | 'unreachable' | undefined> {
    let verdict
    try {
      const logs = await this.ctx.stark.creditedLogs({ invoiceIds: [invoice.id] })
      // One credited log that says what the event said settles it; anything else is decided by the
      // invoice as Stark holds it now (one more call, only then).
      const current = needsInvoice(logs, invoice.claim)
        ? await this.ctx.stark.getInvoice(invoice.id)
        : undefined
      verdict = judgeCredit(logs, current)
    } catch (error) {
      const failures = this.readFailures.get(invoice.id) ?? 0
      this.readFailures.set(invoice.id, failures + 1)
      const retryAt = this.ctx.clock.now() + backoffMs(failures)
      await record(this.ctx, {
        type: 'error',
        where: 'outbox',
        message: `could not read invoice ${invoice.id}'s credit from Stark before sending its transfer (${classifyFailure(error).message}); trying again`
      })
      this.arm(invoice.id, retryAt)
      return 'unreachable'
    }
    this.readFailures.delete(invoice.id)
    const claim = invoice.claim
    const suspiciousOf = (reason: string, held: boolean, atStark: Money | null): JournalBody => ({
      type: 'credit.suspicious',
      invoiceId: invoice.id,
      eventId: claim?.eventId ?? null,
      reason,
      claimed: claim ? { amount: claim.amount, fee: claim.fee } : null,
      atStark,
      held,
      logIds: verdict.logIds
    })
    const suspicious = (reason: string, held: boolean, atStark: Money | null): Promise<unknown> =>
      record(this.ctx, suspiciousOf(reason, held, atStark))
    const sameAsHeld =
      invoice.held !== undefined && invoice.held.logIds.join() === verdict.logIds.join()
    if (verdict.kind === 'not-credited') {
      // A claim Stark does not back: nothing is sent. A later credited log is looked at again.
      if (claim && !invoice.credit && !sameAsHeld)
        await suspicious('an event said credited, but Stark shows no credited log', true, null)
      return undefined
    }
    if (verdict.kind === 'refused') {
      if (!sameAsHeld) await suspicious(verdict.reason, true, verdict.atStark)
      return undefined
    }
    const { credit } = verdict
    const notes = [claimDiffers(claim, credit), ...verdict.disagreements].filter(
      (n): n is string => n !== undefined
    )
    const bodies: JournalBody[] = []
    if (notes.length > 0 && !invoice.credit)
      bodies.push(suspiciousOf(notes.join('; '), false, credit))
    if (invoice.credit?.amount !== credit.amount || invoice.credit.fee !== credit.fee) {
      bodies.push({
        type: 'invoice.credited',
        invoiceId: invoice.id,
        amount: credit.amount,
        fee: credit.fee,
        eventId: claim?.eventId ?? invoice.credit?.eventId ?? null
      })
    }
    // Appended in one turn, so they share one write: no crash keeps the credit without its intent.
    const written = [...bodies, ...next(credit)].map(
      (body) => this.ctx.journal.append(body).durable
    )
    await Promise.all(written)
    return credit
  }

  /** Finds a transfer Stark already holds for this intent; records it as sent if so. */
  private async lookup(transfer: TransferState): Promise<boolean> {
    let found
    try {
      found = (await this.ctx.stark.transfersByTag(invoiceTag(transfer.invoiceId))).find(
        (t) => t.externalId === transfer.externalId
      )
    } catch (error) {
      await this.failed(transfer, classifyFailure(error).message, 'unknown')
      return true
    }
    if (!found) return false
    await record(this.ctx, {
      type: 'transfer.sent',
      invoiceId: transfer.invoiceId,
      externalId: transfer.externalId,
      transferId: found.id,
      recovered: true
    })
    return true
  }

  private async send(transfer: TransferState): Promise<void> {
    const invoice = this.ctx.projection.invoices.get(transfer.invoiceId)
    if (!invoice) return
    const d = this.ctx.destination
    try {
      const created = await this.ctx.stark.createTransfer({
        amount: transfer.amount,
        name: d.name,
        taxId: d.taxId,
        bankCode: d.bankCode,
        branchCode: d.branchCode,
        accountNumber: d.accountNumber,
        accountType: d.accountType,
        externalId: transfer.externalId,
        tags: [runTag(invoice.runId), invoiceTag(transfer.invoiceId)]
      })
      await record(this.ctx, {
        type: 'transfer.sent',
        invoiceId: transfer.invoiceId,
        externalId: transfer.externalId,
        transferId: created.id,
        recovered: false
      })
    } catch (error) {
      const failure = classifyFailure(error)
      if (failure.outcome === 'rejected' && failure.codes.some((c) => DUPLICATE_CODES.has(c))) {
        // Stark already holds this externalId: the earlier call went through and its answer was lost.
        if (await this.lookup(transfer)) return
        await this.failed(
          transfer,
          `${failure.message} (and no transfer with that externalId was found yet)`,
          'unknown'
        )
        return
      }
      await this.failed(transfer, failure.message, failure.outcome)
    }
  }

  private async failed(
    transfer: TransferState,
    message: string,
    outcome: 'unknown' | 'rejected'
  ): Promise<void> {
    const retryAt =
      outcome === 'unknown' ? this.ctx.clock.now() + backoffMs(transfer.errorCount) : null
    await record(this.ctx, {
      type: 'transfer.error',
      invoiceId: transfer.invoiceId,
      externalId: transfer.externalId,
      message,
      outcome,
      retryAt
    })
    if (retryAt !== null) this.arm(transfer.invoiceId, retryAt)
    else
      this.ctx.logger.warn(
        `Stark refused the transfer for invoice ${transfer.invoiceId}: ${message}. Retry it from the transfers list once fixed.`
      )
  }

  /** Transfers outlive runs (an earlier run's credit is still paid), so retries are the engine's. */
  private arm(invoiceId: string, at: number): void {
    if (this.armed.has(invoiceId)) return
    const armed = this.ctx.scope.later(
      at,
      async () => {
        this.armed.delete(invoiceId)
        await this.ensure(invoiceId)
      },
      (error) => this.ctx.logger.error(`transfer for ${invoiceId}: ${String(error)}`)
    )
    if (armed !== undefined) this.armed.add(invoiceId)
  }
}

const intentOf = (invoiceId: string, attempt: number, credit: Money): JournalBody => ({
  type: 'transfer.intent',
  invoiceId,
  externalId: externalIdFor(invoiceId, attempt),
  amount: credit.amount - credit.fee,
  attempt
})
