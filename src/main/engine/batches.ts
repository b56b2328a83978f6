/**
 * Issuing invoices exactly once. The batch intent is journaled first and every invoice carries the
 * run's tag and the batch's tag; if the process dies between Stark's answer and the local record, the
 * next attempt finds the batch by its tag instead of issuing it again.
 */
import type { InvoiceRecord } from '../stark/client'
import {
  backoffMs,
  classifyFailure,
  inBackground,
  KeyedQueue,
  record,
  type EngineContext
} from './context'
import { batchTag, runTag } from './tags'
import { PayerFactory, type Payer } from './payers'
import type { BatchState } from './projection'

export interface IssueRequest {
  batch: string
  count: number
  dueAt: number
  late: boolean
  /** For one-click invoices: the user's choices. */
  payer?: Partial<Pick<Payer, 'name' | 'amount'>>
}

/** The request that resumes a batch whose intent is journaled. */
const requestFor = (batch: BatchState): IssueRequest => ({
  batch: batch.key,
  count: batch.count,
  dueAt: batch.dueAt,
  late: batch.late,
  payer: batch.payer
})

export class BatchIssuer {
  private readonly queue = new KeyedQueue()
  private payers: PayerFactory | undefined
  private readonly errors = new Map<string, number>()

  constructor(
    private readonly ctx: EngineContext,
    private readonly seed: number
  ) {}

  /** Issues the batch unless it was already issued; resolves when it is recorded as issued. */
  issue(request: IssueRequest): Promise<void> {
    return this.queue.run(request.batch, () => this.step(request))
  }

  /**
   * After a restart: finish every batch whose intent was written but whose result was not. A batch
   * Stark refused is not sent again: the same request would be refused again.
   */
  resumeAll(): void {
    for (const batch of this.ctx.projection.batches.values()) {
      if (!batch.issued && !batch.refused)
        inBackground(this.ctx, `batch ${batch.key}`, this.issue(requestFor(batch)))
    }
  }

  idle(): Promise<void> {
    return this.queue.idle()
  }

  private async step(request: IssueRequest): Promise<void> {
    const { projection } = this.ctx
    const run = projection.run
    if (!run) throw new Error('no run has been started')
    let batch = projection.batches.get(request.batch)
    if (batch?.issued) return
    if (!batch) {
      await record(this.ctx, {
        type: 'batch.issuing',
        batch: request.batch,
        count: request.count,
        dueAt: request.dueAt,
        late: request.late,
        ...(request.payer ? { payer: request.payer } : {})
      })
      batch = projection.batches.get(request.batch) as BatchState
    } else if (await this.recover(run.runId, batch)) {
      return
    }
    const payers = this.payerFactory()
    const people = Array.from({ length: batch.count }, () => {
      const payer = payers.next(run.plan.minAmount, run.plan.maxAmount)
      return {
        ...payer,
        ...(request.payer?.name ? { name: request.payer.name } : {}),
        ...(request.payer?.amount ? { amount: request.payer.amount } : {})
      }
    })
    const due =
      run.plan.dueMs === undefined
        ? undefined
        : new Date(this.ctx.clock.now() + run.plan.dueMs).toISOString().replace('Z', '+00:00')
    try {
      const created = await this.ctx.stark.createInvoices(
        people.map((p) => ({
          ...p,
          tags: [runTag(run.runId), batchTag(run.runId, batch.key)],
          ...(due ? { due } : {})
        }))
      )
      await this.recordIssued(batch, created, false)
    } catch (error) {
      const failure = classifyFailure(error)
      const retryAt =
        failure.outcome === 'unknown'
          ? this.ctx.clock.now() + backoffMs(this.bump(batch.key))
          : null
      await record(this.ctx, {
        type: 'batch.error',
        batch: batch.key,
        message: failure.message,
        retryAt
      })
      if (retryAt !== null)
        this.ctx.later(retryAt, () => this.issue({ ...request, late: batch.late }))
      else this.ctx.logger.error(`Stark refused batch ${batch.key}: ${failure.message}`)
    }
  }

  /** Looks for invoices an earlier attempt created; records them as the batch if found. */
  private async recover(runId: string, batch: BatchState): Promise<boolean> {
    let found: InvoiceRecord[]
    try {
      found = await this.ctx.stark.invoicesByTag(batchTag(runId, batch.key))
    } catch (error) {
      const retryAt = this.ctx.clock.now() + backoffMs(this.bump(batch.key))
      await record(this.ctx, {
        type: 'batch.error',
        batch: batch.key,
        message: `lookup before reissue failed: ${classifyFailure(error).message}`,
        retryAt
      })
      this.ctx.later(retryAt, () => this.issue(requestFor(batch)))
      return true
    }
    if (found.length === 0) return false
    await this.recordIssued(batch, found, true)
    return true
  }

  private async recordIssued(
    batch: BatchState,
    invoices: InvoiceRecord[],
    recovered: boolean
  ): Promise<void> {
    for (const invoice of invoices) {
      if (this.ctx.projection.invoices.has(invoice.id)) continue
      await record(this.ctx, {
        type: 'invoice.created',
        invoiceId: invoice.id,
        batch: batch.key,
        amount: invoice.amount,
        name: invoice.name,
        taxId: invoice.taxId
      })
    }
    await record(this.ctx, {
      type: 'batch.issued',
      batch: batch.key,
      invoiceIds: invoices.map((i) => i.id),
      late: batch.late,
      recovered
    })
  }

  private payerFactory(): PayerFactory {
    if (!this.payers) {
      const used = [...this.ctx.projection.invoices.values()].map((i) => i.taxId)
      // A different stream after each restart, so recovered runs do not repeat the same people.
      this.payers = new PayerFactory(this.seed + this.ctx.projection.lastSeq, used)
    }
    return this.payers
  }

  private bump(batch: string): number {
    const n = this.errors.get(batch) ?? 0
    this.errors.set(batch, n + 1)
    return n
  }
}
