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
import type { Scope } from './scope'

export interface IssueRequest {
  /** The run the batch belongs to: nothing is recorded for it once another run has begun. */
  runId: string
  batch: string
  count: number
  dueAt: number
  late: boolean
  /** For one-click invoices: the user's choices. */
  payer?: Partial<Pick<Payer, 'name' | 'amount'>>
}

/** The request that resumes a batch whose intent is journaled. */
const requestFor = (runId: string, batch: BatchState): IssueRequest => ({
  runId,
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

  /**
   * Issues the batch unless it was already issued; resolves once it is recorded as issued, or as
   * failed. `scope` is the run's issuing scope: its retries die with it, and once it is closed (the
   * run stopped) no new call is made for the run.
   */
  issue(request: IssueRequest, scope: Scope): Promise<void> {
    return this.queue.run(request.batch, () => this.step(request, scope))
  }

  /**
   * After a restart: finish every batch of the current run whose intent was written but whose result
   * was not. A batch Stark refused is not sent again: the same request would be refused again. Of a
   * stopped run, only what an earlier call may have created is looked up; nothing new is issued.
   */
  resumeAll(scope: Scope): void {
    const run = this.ctx.projection.run
    if (!run) return
    for (const batch of this.ctx.projection.batches.values()) {
      if (!batch.issued && !batch.refused)
        inBackground(
          this.ctx,
          `batch ${batch.key}`,
          this.issue(requestFor(run.runId, batch), scope)
        )
    }
  }

  idle(): Promise<void> {
    return this.queue.idle()
  }

  get busy(): boolean {
    return this.queue.size > 0
  }

  private async step(request: IssueRequest, scope: Scope): Promise<void> {
    const { projection } = this.ctx
    const run = projection.run
    // A request left from another run (a retry that outlived it) has nothing to do here.
    if (!run || run.runId !== request.runId || this.ctx.stopped()) return
    const ended = (): boolean => run.stopped || run.completed || !scope.alive
    let batch = projection.batches.get(request.batch)
    if (batch?.issued || batch?.refused) return
    if (!batch) {
      if (ended()) return
      await record(this.ctx, {
        type: 'batch.issuing',
        batch: request.batch,
        count: request.count,
        dueAt: request.dueAt,
        late: request.late,
        ...(request.payer ? { payer: request.payer } : {})
      })
      batch = projection.batches.get(request.batch) as BatchState
    } else if (await this.recover(run.runId, batch, scope)) {
      return
    }
    // Stopped while the intent was written or looked up: the intent stays; a restart looks it up.
    if (ended()) return
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
      if (retryAt !== null) this.retryLater(retryAt, { ...request, late: batch.late }, scope)
      else this.ctx.logger.error(`Stark refused batch ${batch.key}: ${failure.message}`)
    }
  }

  private retryLater(at: number, request: IssueRequest, scope: Scope): void {
    scope.later(
      at,
      () => this.issue(request, scope),
      (error) => this.ctx.logger.error(`batch ${request.batch}: ${String(error)}`)
    )
  }

  /** Looks for invoices an earlier attempt created; records them as the batch if found. */
  private async recover(runId: string, batch: BatchState, scope: Scope): Promise<boolean> {
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
      this.retryLater(retryAt, requestFor(runId, batch), scope)
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
