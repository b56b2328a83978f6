/**
 * The run's clock-driven part: batch k is due at start + k × interval, and the run completes once the
 * last batch is out, the settle window has passed and every credit has a final transfer answer.
 *
 * Pause: no batch is issued while paused; a batch that comes due while paused is issued on resume and
 * marked late, exactly like a batch missed while the app was closed. The schedule does not shift.
 */
import type { TimerId } from '../time/clock'
import { inBackground, record, type EngineContext } from './context'
import type { BatchIssuer } from './batches'

export const plannedKey = (index: number): string => `b${index}`

export class RunScheduler {
  private timer: TimerId | undefined
  private completionTimer: TimerId | undefined
  private issuing: Promise<void> = Promise.resolve()
  private checking: Promise<boolean> | undefined
  /** A last look at Stark before declaring the run complete (set by the facade). */
  finalSweep: () => Promise<{ credits: number; awaitingCredit: number; complete: boolean }> =
    async () => ({ credits: 0, awaitingCredit: 0, complete: true })

  constructor(
    private readonly ctx: EngineContext,
    private readonly issuer: BatchIssuer
  ) {}

  /**
   * Issues what is due and arms the next batch. A batch due before `lateBefore` was missed while the
   * engine was closed or paused, so it is issued now and marked late; starting a run passes its start
   * time, so the first batch is on time.
   */
  resume(lateBefore: number = this.ctx.clock.now()): Promise<void> {
    return this.issueDue(lateBefore)
  }

  /** Issues the next planned batch now, ahead of its time. */
  async issueNext(): Promise<string | undefined> {
    const next = this.nextPlanned()
    const run = this.ctx.projection.run
    if (next === undefined || !run) return undefined
    await this.serial(() =>
      this.issuer.issue({
        batch: plannedKey(next),
        count: run.sizes[next] as number,
        dueAt: this.dueAt(next),
        late: false
      })
    )
    this.arm()
    return plannedKey(next)
  }

  disarm(): void {
    if (this.timer !== undefined) this.ctx.clock.cancel(this.timer)
    if (this.completionTimer !== undefined) this.ctx.clock.cancel(this.completionTimer)
    this.timer = undefined
    this.completionTimer = undefined
  }

  /** Index of the first planned batch with no intent yet. */
  nextPlanned(): number | undefined {
    const run = this.ctx.projection.run
    if (!run) return undefined
    for (let k = 0; k < run.plan.batches; k++)
      if (!this.ctx.projection.batches.has(plannedKey(k))) return k
    return undefined
  }

  dueAt(index: number): number {
    const run = this.ctx.projection.run
    if (!run) throw new Error('no run')
    return run.startedAt + index * run.plan.intervalMs
  }

  /** Records completion when everything the run owes is settled; returns whether it is complete. */
  checkCompletion(): Promise<boolean> {
    if (!this.checking) this.checking = this.completion().finally(() => (this.checking = undefined))
    return this.checking
  }

  private async completion(): Promise<boolean> {
    const { projection } = this.ctx
    const run = projection.run
    if (!run || run.completed) return Boolean(run?.completed)
    const allIssued =
      run.stopped ||
      (this.nextPlanned() === undefined &&
        [...projection.batches.values()].every((b) => b.issued || b.refused))
    if (!allIssued) return false
    const settleAt = run.stopped ? 0 : this.dueAt(run.plan.batches - 1) + run.plan.settleMs
    if (this.ctx.clock.now() < settleAt) {
      this.armCompletion(settleAt)
      return false
    }
    if (!this.settled()) return false
    // What we saw is settled; make sure Stark holds no credit we have not seen (a lost webhook).
    const sweep = await this.finalSweep()
    // The sweep itself may have brought credits in (missed `credited` events): settled again?
    if (!sweep.complete || sweep.credits > 0 || sweep.awaitingCredit > 0 || !this.settled()) {
      this.armCompletion(this.ctx.clock.now() + 60_000)
      return false
    }
    await record(this.ctx, { type: 'run.completed' })
    this.disarm()
    return true
  }

  /** Every credit seen has its transfer's final answer (or a recorded reason for none). */
  private settled(): boolean {
    const { projection } = this.ctx
    for (const invoice of projection.currentInvoices()) {
      if (!invoice.credit) continue
      const transfer = projection.transfers.get(invoice.id)
      if (!transfer) return false
      if (transfer.skipped || transfer.lastError?.outcome === 'rejected') continue
      if (transfer.status !== 'success' && transfer.status !== 'failed') return false
    }
    return true
  }

  arm(): void {
    if (this.timer !== undefined) this.ctx.clock.cancel(this.timer)
    this.timer = undefined
    const run = this.ctx.projection.run
    if (!run || run.paused || run.stopped || run.completed || this.ctx.stopped()) return
    const next = this.nextPlanned()
    if (next === undefined) {
      inBackground(this.ctx, 'completion check', this.checkCompletion())
      return
    }
    this.timer = this.ctx.clock.at(this.dueAt(next), async () => {
      this.timer = undefined
      await this.issueDue(-Infinity)
    })
  }

  private armCompletion(at: number): void {
    if (this.completionTimer !== undefined) return
    this.completionTimer = this.ctx.clock.at(at, async () => {
      this.completionTimer = undefined
      await this.checkCompletion()
    })
  }

  private async issueDue(lateBefore: number): Promise<void> {
    await this.serial(async () => {
      const run = this.ctx.projection.run
      if (!run || run.paused || run.stopped || run.completed) return
      for (
        let k = this.nextPlanned();
        k !== undefined && this.dueAt(k) <= this.ctx.clock.now();
        k = this.nextPlanned()
      ) {
        await this.issuer.issue({
          batch: plannedKey(k),
          count: run.sizes[k] as number,
          dueAt: this.dueAt(k),
          late: this.isLate(this.dueAt(k), lateBefore, run.plan.intervalMs)
        })
      }
    })
    this.arm()
  }

  /**
   * Late: its time passed while the engine was closed or paused, or its timer fired well after its
   * time (a laptop that slept), by more than a tenth of the interval or a minute.
   */
  private isLate(dueAt: number, lateBefore: number, intervalMs: number): boolean {
    return dueAt < lateBefore || this.ctx.clock.now() - dueAt > Math.max(60_000, intervalMs / 10)
  }

  private serial(task: () => Promise<void>): Promise<void> {
    const next = this.issuing.then(task, task)
    this.issuing = next.catch(() => undefined)
    return next
  }
}
