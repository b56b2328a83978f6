/**
 * Catch-up, on start and periodically. Stark stops retrying a webhook after about 2.5 hours, so a
 * laptop that slept (or a sandbox run with no public URL) would lose credits. Two sweeps:
 * undelivered events go through the same intake and are then marked delivered; and invoices of this
 * run that Stark shows as credited but we never saw credited are credited from their `credited` log.
 */
import { record, classifyFailure, type EngineContext } from './context'
import { runTag } from './tags'
import { describeEvent, type Intake, type IncomingEvent } from './intake'

export interface CatchUpResult {
  events: number
  credits: number
  /** Invoices of the run that Stark shows paid but not yet credited: money still on its way. */
  awaitingCredit: number
  /** False when the sweep stopped on an error. */
  complete: boolean
}

export class CatchUp {
  private running: Promise<CatchUpResult> | undefined

  constructor(
    private readonly ctx: EngineContext,
    private readonly intake: Intake
  ) {}

  /** Runs one sweep; a call while one is running shares it. */
  run(): Promise<CatchUpResult> {
    if (!this.running) {
      this.running = this.sweep().finally(() => (this.running = undefined))
    }
    return this.running
  }

  /** Resolves when no sweep is running (stop waits for it before closing the journal). */
  async idle(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined)
  }

  private async sweep(): Promise<CatchUpResult> {
    const result: CatchUpResult = { events: 0, credits: 0, awaitingCredit: 0, complete: false }
    try {
      const run = this.ctx.projection.run
      // Only events since the day before the run began: older ones cannot concern it.
      const since = run
        ? new Date(run.startedAt - 86_400_000).toISOString().slice(0, 10)
        : undefined
      for (const raw of await this.ctx.stark.undeliveredEvents(since)) {
        if (this.ctx.stopped()) return result
        const event = raw as unknown as IncomingEvent
        // Other apps may share the workspace: their events are theirs to mark delivered.
        if (describeEvent(event, 'catch-up', this.ctx.projection.runTags).verdict === 'ignored')
          continue
        if (!this.ctx.projection.seenEvents.has(event.id)) {
          await this.intake.accept(event, 'catch-up')
          result.events++
        }
        await this.ctx.stark.markDelivered(event.id)
      }
      await this.reconcile(result)
      result.complete = true
    } catch (error) {
      await record(this.ctx, {
        type: 'error',
        where: 'catch-up',
        message: `catch-up stopped early: ${classifyFailure(error).message}; it runs again on the next tick`
      })
      return result
    }
    if (result.events > 0 || result.credits > 0)
      await record(this.ctx, {
        type: 'catch-up.done',
        events: result.events,
        credits: result.credits
      })
    return result
  }

  private async reconcile(result: CatchUpResult): Promise<void> {
    const run = this.ctx.projection.run
    if (!run) return
    for (const invoice of await this.ctx.stark.invoicesByTag(runTag(run.runId))) {
      const known = this.ctx.projection.invoices.get(invoice.id)
      if (invoice.status !== 'paid' || known?.credit) continue
      const credited = known ? await this.ctx.stark.creditedInvoice(invoice.id) : undefined
      // Unknown invoices are recorded by the batch recovery first; the next sweep credits them.
      if (!credited) {
        result.awaitingCredit++
        continue
      }
      await this.intake.credit(invoice.id, credited.amount, credited.fee, null)
      result.credits++
    }
  }
}
