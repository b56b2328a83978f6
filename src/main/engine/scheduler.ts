/**
 * The run's clock-driven part: batch k is due at start + k × interval, and the run completes once the
 * last batch is out, the settle window has passed and every credit has a finished transfer.
 *
 * Pause: no batch is issued while paused; a batch that comes due while paused is issued on resume and
 * marked late, exactly like a batch missed while the app was closed. The schedule does not shift.
 *
 * Ownership: the run's timers and batch retries live in its scopes (see scope.ts). Stopping the run
 * closes its issuing scope; completing it, starting another, or stopping the engine closes them all.
 * Every loop over batches checks pause and stop before each batch, and "next batch now" picks its
 * batch inside the same queue as the timers, so it names the batch it really issued.
 */
import { AppError } from '../../shared/errors'
import type { TimerId } from '../time/clock'
import { inBackground, record, type EngineContext } from './context'
import type { BatchIssuer } from './batches'
import type { BatchState, RunState } from './projection'
import type { Scope } from './scope'
import { isFinished } from './transfer-outcome'

export const plannedKey = (index: number): string => `b${index}`

/** What the final look at Stark reports (see catch-up.ts). */
export interface FinalSweep {
  credits: number
  awaitingCredit: number
  complete: boolean
}

/** The scopes of the run the scheduler is driving. */
interface RunWork {
  runId: string
  /** Completion checks: closed when the run completes, another starts, or the engine stops. */
  settling: Scope
  /** The batch timer and batch retries: also closed when the run is stopped. */
  issuing: Scope
}

export class RunScheduler {
  private work: RunWork | undefined
  private timer: TimerId | undefined
  private completionTimer: TimerId | undefined
  private tail: Promise<unknown> = Promise.resolve()
  private queued = 0
  private checking: Promise<boolean> | undefined

  constructor(
    private readonly ctx: EngineContext,
    private readonly issuer: BatchIssuer,
    /** A last look at Stark before declaring the run complete. */
    private readonly finalSweep: () => Promise<FinalSweep>
  ) {}

  /**
   * Takes charge of the current run (a new one, or the one found at start): anything still held for
   * an earlier run dies here. A stopped run gets no issuing scope; a completed one nothing at all.
   */
  open(): void {
    this.close()
    const run = this.ctx.projection.run
    if (!run || run.completed || this.ctx.stopped()) return
    const settling = this.ctx.scope.child()
    const issuing = settling.child()
    if (run.stopped) issuing.close()
    this.work = { runId: run.runId, settling, issuing }
  }

  /** The run was stopped: its batch timer and batch retries die; completion is still watched. */
  endIssuing(): void {
    this.work?.issuing.close()
    this.timer = undefined
  }

  close(): void {
    this.work?.settling.close()
    this.work = undefined
    this.timer = undefined
    this.completionTimer = undefined
  }

  /** The current run's issuing scope, for one-click invoices; undefined once it stopped issuing. */
  issuingScope(): Scope | undefined {
    const work = this.current()
    return work?.issuing.alive ? work.issuing : undefined
  }

  /** Resumes batches whose intent a crash or stop cut off (lookup first, see batches.ts). */
  resumeIntents(): void {
    const work = this.current()
    if (work) this.issuer.resumeAll(work.issuing)
  }

  /**
   * Issues what is due and arms the next batch. A batch due before `lateBefore` was missed while the
   * engine was closed or paused, so it is issued now and marked late; starting a run passes its start
   * time, so the first batch is on time.
   */
  resume(lateBefore: number = this.ctx.clock.now()): Promise<void> {
    return this.issueDue(lateBefore)
  }

  /** Issues the next planned batch now, ahead of its time; says which one, and whether it went out. */
  issueNext(): Promise<{ batch: string | null; issued: boolean }> {
    return this.serial(async () => {
      const work = this.current()
      const run = this.ctx.projection.run
      if (!run || !work) throw new AppError('no_run', 'No run is going. Start a run first.')
      if (run.stopped || run.completed || !work.issuing.alive) throw runEnded(run)
      const next = this.nextPlanned()
      if (next === undefined) return { batch: null, issued: false }
      const key = plannedKey(next)
      await this.issuer.issue(
        {
          runId: run.runId,
          batch: key,
          count: run.sizes[next] as number,
          dueAt: this.dueAt(next),
          late: false
        },
        work.issuing
      )
      this.arm()
      const batch = this.ctx.projection.batches.get(key)
      if (batch?.issued) return { batch: key, issued: true }
      throw notIssued(key, batch)
    })
  }

  /** No batch timer while paused; retries of a batch already under way go on. */
  disarm(): void {
    this.work?.issuing.cancel(this.timer)
    this.timer = undefined
  }

  /** Resolves when nothing is queued for issuing and no completion check is under way. */
  async idle(): Promise<void> {
    while (this.queued > 0 || this.checking)
      await Promise.all([this.tail, this.checking?.catch(() => undefined)])
  }

  get busy(): boolean {
    return this.queued > 0 || this.checking !== undefined
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

  private current(): RunWork | undefined {
    const run = this.ctx.projection.run
    return this.work && run?.runId === this.work.runId && this.work.settling.alive
      ? this.work
      : undefined
  }

  private async completion(): Promise<boolean> {
    const { projection } = this.ctx
    const run = projection.run
    const work = this.current()
    if (!run || run.completed) return Boolean(run?.completed)
    if (!work) return false
    const allIssued =
      run.stopped ||
      (this.nextPlanned() === undefined &&
        [...projection.batches.values()].every((b) => b.issued || b.refused))
    if (!allIssued) return false
    const settleAt = run.stopped ? 0 : this.dueAt(run.plan.batches - 1) + run.plan.settleMs
    if (this.ctx.clock.now() < settleAt) {
      this.armCompletion(work, settleAt)
      return false
    }
    if (!this.settled()) return false
    // What we saw is settled; make sure Stark holds no credit we have not seen (a lost webhook).
    const sweep = await this.finalSweep()
    // The sweep itself may have brought credits in (missed `credited` events): settled again?
    if (!sweep.complete || sweep.credits > 0 || sweep.awaitingCredit > 0 || !this.settled()) {
      this.armCompletion(work, this.ctx.clock.now() + 60_000)
      return false
    }
    if (this.current() !== work || projection.run?.completed) return Boolean(run.completed)
    await record(this.ctx, { type: 'run.completed' })
    this.close()
    return true
  }

  /**
   * Every credit of the run has a finished transfer (or a recorded reason for none), and every claim
   * of a credit has been checked with Stark (confirmed, or held for the user).
   */
  private settled(): boolean {
    const { projection } = this.ctx
    for (const invoice of projection.currentInvoices()) {
      if (!invoice.credit) {
        if (invoice.claim && !invoice.held) return false
        continue
      }
      const transfer = projection.transfers.get(invoice.id)
      if (!transfer || !isFinished(transfer)) return false
    }
    return true
  }

  private arm(): void {
    const work = this.current()
    work?.issuing.cancel(this.timer)
    this.timer = undefined
    const run = this.ctx.projection.run
    if (!work || !run || run.paused || run.stopped || run.completed) return
    const next = this.nextPlanned()
    if (next === undefined) {
      inBackground(this.ctx, 'completion check', this.checkCompletion())
      return
    }
    this.timer = work.issuing.later(
      this.dueAt(next),
      async () => {
        this.timer = undefined
        await this.issueDue(-Infinity)
      },
      (error) => this.ctx.logger.error(`batch timer: ${String(error)}`)
    )
  }

  private armCompletion(work: RunWork, at: number): void {
    if (this.completionTimer !== undefined) return
    this.completionTimer = work.settling.later(
      at,
      async () => {
        this.completionTimer = undefined
        await this.checkCompletion()
      },
      (error) => this.ctx.logger.error(`completion check: ${String(error)}`)
    )
  }

  private async issueDue(lateBefore: number): Promise<void> {
    await this.serial(async () => {
      const work = this.current()
      // Checked before every batch: a stop or pause pressed meanwhile ends the loop.
      for (;;) {
        const run = this.ctx.projection.run
        if (!work || work !== this.current() || !work.issuing.alive) return
        if (!run || run.paused || run.stopped || run.completed) return
        const k = this.nextPlanned()
        if (k === undefined || this.dueAt(k) > this.ctx.clock.now()) return
        await this.issuer.issue(
          {
            runId: run.runId,
            batch: plannedKey(k),
            count: run.sizes[k] as number,
            dueAt: this.dueAt(k),
            late: this.isLate(this.dueAt(k), lateBefore, run.plan.intervalMs)
          },
          work.issuing
        )
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

  /** One issuing task at a time, whoever asked (a timer, a resume, a button). */
  private serial<T>(task: () => Promise<T>): Promise<T> {
    this.queued++
    const next = this.tail.then(task, task)
    this.tail = next.then(
      () => this.queued--,
      () => this.queued--
    )
    return next
  }
}

export function runEnded(run: RunState): AppError {
  return new AppError(
    'run_ended',
    `Run ${run.runId} is ${run.stopped ? 'stopped' : 'complete'}: it issues nothing more. Start a new run.`
  )
}

/** Why a batch asked for just now did not go out, in words and a code the front ends can use. */
export function notIssued(
  key: string,
  batch: BatchState | undefined,
  fix = "Check the plan's values and start a new run"
): AppError {
  if (batch?.refused)
    return new AppError(
      'stark_refused',
      `Stark refused ${key} (${batch.lastError ?? 'no reason given'}); it is not sent again. ${fix}.`
    )
  if (batch)
    return new AppError(
      'outcome_unknown',
      `Stark did not confirm ${key} (${batch.lastError ?? 'no answer'}); it is checked and retried by itself, and appears in the list once confirmed.`
    )
  return new AppError('run_ended', `${key} was not issued: the run stopped first.`)
}
