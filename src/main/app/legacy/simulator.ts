/**
 * Today's facade seen through `SimulatorPort`. Temporary: the hardened facade returns these shapes
 * and throws these `AppError`s itself, and this adapter becomes the identity. Until then the
 * refusals are checked here, from the snapshot, before the facade is called, so the front ends
 * already get stable codes instead of English prose.
 */
import type { RunView } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import { oneInvoiceSchema, planSchema } from '../../../shared/plan'
import type { Simulator } from '../../engine/simulator'
import type { SimulatorPort } from '../ports'
import { hideWebhookSecret } from '../redact'

const issuesOf = (error: { issues: { path: PropertyKey[]; message: string }[] }): string =>
  error.issues.map((i) => `${i.path.join('.') || 'plan'} ${i.message}`).join('; ')

export function legacySimulator(sim: Simulator): SimulatorPort {
  const view = (): RunView => {
    const run = sim.snapshot().run
    if (!run) throw new AppError('no_run', 'No run has been started. Start a run first.')
    return { runId: run.runId, paused: run.paused, stopped: run.stopped, completed: run.completed }
  }
  const requireActive = (): RunView => {
    const run = view()
    if (run.stopped || run.completed)
      throw new AppError(
        'run_ended',
        `Run ${run.runId} is ${run.stopped ? 'stopped' : 'complete'}: it issues nothing more. Start a new run.`
      )
    return run
  }

  return {
    async startRun(plan = {}) {
      const current = sim.snapshot().run
      if (current && !current.completed && !current.stopped)
        throw new AppError(
          'run_active',
          `Run ${current.runId} is still going. Stop it before starting another.`
        )
      const parsed = planSchema.safeParse(plan)
      if (!parsed.success)
        throw new AppError(
          'invalid_plan',
          `The run plan is not valid: ${issuesOf(parsed.error)}. Fix those values and start again.`
        )
      const runId = await sim.startRun(parsed.data)
      return { runId, sizes: [...(sim.snapshot().run?.sizes ?? [])] }
    },
    async pause() {
      view()
      await sim.pause()
      return view()
    },
    async resume() {
      view()
      await sim.resume()
      return view()
    },
    async stopRun(reason) {
      view()
      await sim.stopRun(reason)
      return view()
    },
    async issueBatchNow() {
      requireActive()
      const before = sim.snapshot().batches.filter((b) => b.issued).length
      const batch = (await sim.issueBatchNow()) ?? null
      const after = sim.snapshot().batches.filter((b) => b.issued).length
      return { batch, issued: batch !== null && after > before }
    },
    async issueInvoice(options) {
      requireActive()
      const payer = oneInvoiceSchema.safeParse(options)
      if (!payer.success)
        throw new AppError(
          'invalid_args',
          `The invoice was not issued: ${issuesOf(payer.error)}. Give a name and an amount in whole cents of at least 1.`
        )
      try {
        return { invoiceId: await sim.issueInvoice(payer.data) }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        if (message.startsWith('Stark did not confirm'))
          throw new AppError('outcome_unknown', message, { cause: error })
        if (message.startsWith('Stark refused'))
          throw new AppError('stark_refused', message, { cause: error })
        throw error
      }
    },
    async replayEvent(eventId) {
      const verdict = await sim.replayEvent(eventId)
      return { verdict: verdict as 'recorded' | 'duplicate' | 'ignored' }
    },
    async retryTransfer(invoiceId) {
      const invoice = sim.snapshot().invoices.find((i) => i.id === invoiceId)
      if (!invoice)
        throw new AppError(
          'not_found',
          `No invoice ${invoiceId} in this state folder. Pick an invoice from the list.`
        )
      const transfer = invoice.transfer
      const failed = transfer?.status === 'failed' || transfer?.lastError?.outcome === 'rejected'
      if (!transfer || transfer.skipped || !failed)
        throw new AppError(
          'refused',
          `Invoice ${invoiceId} has no failed transfer to retry (${transfer?.skipped ?? transfer?.status ?? 'not credited yet'}). Only a transfer Stark failed or refused can be retried.`
        )
      try {
        await sim.retryTransfer(invoiceId)
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        if (message.includes('already holds')) throw new AppError('refused', message)
        throw error
      }
      const after = sim.snapshot().invoices.find((i) => i.id === invoiceId)?.transfer
      return { attempt: after?.attempt ?? 0 }
    },
    snapshot: () => {
      const snapshot = sim.snapshot()
      return { ...snapshot, webhookUrl: hideWebhookSecret(snapshot.webhookUrl) }
    }
  }
}
