/**
 * The run's buttons: start a run, pause, resume, stop, next batch now, one invoice now. Each is safe
 * to press at any moment and twice: the run commands take turns (two clicks cannot interleave), a
 * command at the wrong time is refused with an AppError code and a message that says what to do, and
 * each answers with what actually happened.
 */
import { randomBytes } from 'node:crypto'
import type { RunView } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import { oneInvoiceSchema, planSchema, type PlanInput } from '../../shared/plan'
import type { Rng } from '../time/rng'
import type { BatchIssuer } from './batches'
import { inBackground, KeyedQueue, record, type EngineContext } from './context'
import type { Lifecycle } from './lifecycle'
import type { RunState } from './projection'
import { notIssued, runEnded, type RunScheduler } from './scheduler'

export interface RunCommands {
  startRun(plan?: PlanInput): Promise<{ runId: string; sizes: number[] }>
  pause(): Promise<RunView>
  resume(): Promise<RunView>
  /** The next planned batch, now: which one went out (null when none was left). */
  issueBatchNow(): Promise<{ batch: string | null; issued: boolean }>
  issueInvoice(options?: { name?: string; amount?: number }): Promise<{ invoiceId: string }>
  stopRun(reason?: string): Promise<RunView>
}

export interface RunCommandDeps {
  ctx: EngineContext
  life: Pick<Lifecycle<unknown>, 'require'>
  scheduler: RunScheduler
  issuer: BatchIssuer
  rng: Rng
}

export function createRunCommands({ ctx, life, scheduler, issuer, rng }: RunCommandDeps): {
  commands: RunCommands
  readonly busy: boolean
  idle(): Promise<void>
} {
  const { projection, clock } = ctx
  const runLock = new KeyedQueue()
  const underRunLock = <T>(task: () => Promise<T>): Promise<T> => runLock.run('run', task)
  let manualInvoices = [...projection.batches.keys()].filter((k) => k.startsWith('m')).length

  const requireRun = (): RunState => {
    if (!projection.run) throw new AppError('no_run', 'No run has been started. Start a run first.')
    return projection.run
  }
  /** A stopped or completed run issues nothing more. */
  const requireActiveRun = (): RunState => {
    const run = requireRun()
    if (run.stopped || run.completed) throw runEnded(run)
    return run
  }
  const view = ({ runId, paused, stopped, completed }: RunState): RunView => ({
    runId,
    paused,
    stopped,
    completed
  })

  const commands: RunCommands = {
    async startRun(planInput = {}) {
      life.require('start a run')
      const parsed = planSchema.safeParse(planInput)
      if (!parsed.success) {
        throw new AppError(
          'invalid_plan',
          `The run plan is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'plan'} ${i.message}`).join('; ')}. Fix those values and start again.`
        )
      }
      const plan = parsed.data
      const started = await underRunLock(async () => {
        const current = projection.run
        if (current && !current.completed && !current.stopped) {
          throw new AppError(
            'run_active',
            `Run ${current.runId} is still going. Stop it before starting another.`
          )
        }
        // What the previous run still has in flight ends first: nothing of it lands in the new run.
        scheduler.endIssuing()
        await scheduler.idle()
        await issuer.idle()
        const sizes = Array.from({ length: plan.batches }, () =>
          rng.int(plan.minInvoices, plan.maxInvoices)
        )
        const runId = randomBytes(5).toString('hex')
        const startedAt = clock.now()
        await record(ctx, { type: 'run.started', runId, plan, sizes, startedAt })
        manualInvoices = 0
        scheduler.open()
        return { runId, sizes, startedAt }
      })
      await scheduler.resume(started.startedAt)
      return { runId: started.runId, sizes: started.sizes }
    },
    pause: async () => {
      life.require('pause the run')
      return underRunLock(async () => {
        const run = requireActiveRun()
        if (!run.paused) {
          await record(ctx, { type: 'run.paused' })
          scheduler.disarm()
        }
        return view(run)
      })
    },
    resume: async () => {
      life.require('resume the run')
      return underRunLock(async () => {
        const run = requireActiveRun()
        if (run.paused) {
          await record(ctx, { type: 'run.resumed' })
          inBackground(ctx, 'batches due', scheduler.resume())
        }
        return view(run)
      })
    },
    issueBatchNow: async () => {
      life.require('issue a batch')
      requireActiveRun()
      return scheduler.issueNext()
    },
    async issueInvoice(options = {}) {
      life.require('issue an invoice')
      const payer = oneInvoiceSchema.safeParse(options)
      if (!payer.success) {
        throw new AppError(
          'invalid_args',
          `The invoice was not issued: ${payer.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}. Give a name and an amount in whole cents of at least 1.`
        )
      }
      const run = requireActiveRun()
      const issuing = scheduler.issuingScope()
      if (!issuing) throw runEnded(run)
      // The key is taken before any await, so two clicks at once make two invoices, not one.
      const key = `m${++manualInvoices}`
      const request = { runId: run.runId, batch: key, count: 1, late: false, payer: payer.data }
      await issuer.issue({ ...request, dueAt: clock.now() }, issuing)
      const batch = projection.batches.get(key)
      const invoiceId = batch?.issued ? batch.invoiceIds[0] : undefined
      if (invoiceId) return { invoiceId }
      throw notIssued(`the invoice (${key})`, batch, 'Check the name and amount and try again')
    },
    stopRun: async (reason = 'stopped by the user') => {
      life.require('stop the run')
      return underRunLock(async () => {
        const run = requireRun()
        if (!run.stopped && !run.completed) {
          await record(ctx, { type: 'run.stopped', reason })
          scheduler.endIssuing()
          inBackground(ctx, 'completion check', scheduler.checkCompletion())
        }
        return view(run)
      })
    }
  }
  return {
    commands,
    get busy() {
      return runLock.size > 0
    },
    idle: () => runLock.idle()
  }
}
