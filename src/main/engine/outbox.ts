/**
 * Exactly-once transfers. The intent is journaled before the API call; a call whose outcome is unknown
 * (timeout, 500, crash) is resolved by looking the transfer up before any retry, and the externalId,
 * derived from the invoice id, makes Stark itself refuse a second transfer for the same credit.
 */
import {
  backoffMs,
  classifyFailure,
  inBackground,
  KeyedQueue,
  record,
  type EngineContext
} from './context'
import { externalIdFor, invoiceTag, runTag } from './tags'
import type { TransferState } from './projection'

const DUPLICATE_CODES = new Set(['invalidExternalId', 'repeatedTransfer'])

export class Outbox {
  private readonly queue = new KeyedQueue()
  private readonly armed = new Set<string>()

  constructor(private readonly ctx: EngineContext) {}

  /** Makes sure the credited invoice has its one transfer; safe to call any number of times. */
  ensure(invoiceId: string): Promise<void> {
    return this.queue.run(invoiceId, () => this.step(invoiceId))
  }

  /** A user's retry of a transfer Stark failed or refused: a new attempt with a new externalId. */
  async retry(invoiceId: string): Promise<void> {
    await this.queue.run(invoiceId, async () => {
      const current = this.ctx.projection.transfers.get(invoiceId)
      if (!current || current.skipped)
        throw new Error(
          `Invoice ${invoiceId} has no transfer to retry: it was not credited, or nets nothing.`
        )
      const failed = current.status === 'failed' || current.lastError?.outcome === 'rejected'
      if (!failed)
        throw new Error(
          `The transfer for invoice ${invoiceId} has not failed (${current.status ?? 'sending'}); wait for its outcome.`
        )
      // Whatever an earlier call may have left at Stark must have failed too, or this would pay twice.
      const atStark = await this.ctx.stark.transfersByTag(invoiceTag(invoiceId))
      const live = atStark.find((t) => t.status !== 'failed' && t.status !== 'canceled')
      if (live) {
        throw new Error(
          `Stark already holds transfer ${live.id} (${live.status}) for invoice ${invoiceId}; not sending another.`
        )
      }
      await record(this.ctx, { type: 'transfer.retry', invoiceId, attempt: current.attempt + 1 })
      await this.send(await this.intend(invoiceId, current.attempt + 1))
    })
  }

  /**
   * After a restart: resume every intent that has no final answer yet, and every credit that has no
   * intent (a crash between the durable `invoice.credited` and the intent: its event is already
   * recorded, so no redelivery or catch-up would hand it to the outbox again).
   */
  resumeAll(): void {
    const { invoices, transfers } = this.ctx.projection
    for (const invoice of invoices.values()) {
      const transfer = transfers.get(invoice.id)
      if (invoice.credit && (!transfer || this.pending(transfer)))
        inBackground(this.ctx, `transfer for ${invoice.id}`, this.ensure(invoice.id))
    }
  }

  idle(): Promise<void> {
    return this.queue.idle()
  }

  pending(transfer: TransferState): boolean {
    return !transfer.skipped && !transfer.transferId && transfer.lastError?.outcome !== 'rejected'
  }

  private async step(invoiceId: string): Promise<void> {
    const { projection } = this.ctx
    const invoice = projection.invoices.get(invoiceId)
    if (!invoice?.credit) return
    let transfer = projection.transfers.get(invoiceId)
    let fresh = false
    if (!transfer) {
      const net = invoice.credit.amount - invoice.credit.fee
      if (net <= 0) {
        await record(this.ctx, {
          type: 'transfer.skipped',
          invoiceId,
          reason: `amount ${invoice.credit.amount} minus fee ${invoice.credit.fee} is ${net} cents: nothing to send`
        })
        return
      }
      transfer = await this.intend(invoiceId, 0)
      fresh = true
    }
    if (!this.pending(transfer)) return
    // An intent this process did not just write may have reached Stark (crash or lost answer):
    // look it up before sending again.
    if (!fresh && (await this.lookup(transfer))) return
    await this.send(transfer)
  }

  private async intend(invoiceId: string, attempt: number): Promise<TransferState> {
    const invoice = this.ctx.projection.invoices.get(invoiceId)
    if (!invoice?.credit) throw new Error(`invoice ${invoiceId} was not credited`)
    const amount = invoice.credit.amount - invoice.credit.fee
    await record(this.ctx, {
      type: 'transfer.intent',
      invoiceId,
      externalId: externalIdFor(invoiceId, attempt),
      amount,
      attempt
    })
    return this.ctx.projection.transfers.get(invoiceId) as TransferState
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

  private arm(invoiceId: string, at: number): void {
    if (this.armed.has(invoiceId)) return
    this.armed.add(invoiceId)
    this.ctx.later(at, async () => {
      this.armed.delete(invoiceId)
      await this.ensure(invoiceId)
    })
  }
}
