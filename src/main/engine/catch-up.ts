/**
 * Catch-up, on start and periodically. Stark stops retrying a webhook after about 2.5 hours, and a
 * delivery we answered 200 can still be lost (a short write), so the engine asks Stark itself, for
 * every run of this installation that is not settled, not only the current one:
 * - events Stark could not deliver go through the same intake and are then marked delivered; an
 *   event younger than the delivery grace is not missed yet (its webhook is on its way: a sweep
 *   right after a batch would otherwise take every new event from the webhook and report it as
 *   missed), and a later sweep takes it if it is still undelivered then;
 * - transfers with no final status are re-read, so a lost `success` cannot hold a run open forever;
 * - invoices with no credit yet are looked up among `credited` logs, each then checked like a push
 *   (a log younger than the grace is left to its webhook, except by the final look before completion).
 *
 * Cost follows what changed, not the size of the run: only invoices and transfers that are not
 * settled are asked about, and after a complete sweep only what Stark created since (by day, the
 * API's granularity) is listed.
 */
import { classifyFailure, record, type EngineContext } from './context'
import { describeEvent, type Intake, type IncomingEvent } from './intake'
import { mergeStatus } from './projection'
import type { InvoiceState } from './projection'
import { isFinished } from './transfer-outcome'
import type { CreditedLog } from '../stark/client'

export interface CatchUpResult {
  events: number
  /** Invoices found credited at Stark that we had not heard of: handed to the outbox to check. */
  credits: number
  /** Transfer statuses read from Stark because their events never reached us. */
  statuses: number
  /** Invoices of the run that Stark shows paid but not yet credited: money still on its way. */
  awaitingCredit: number
  /** Events and credits younger than the grace, left to their webhooks for now. */
  waiting: number
  /** False when the sweep stopped on an error. */
  complete: boolean
}

const DAY_MS = 86_400_000
/**
 * Stark time an undelivered event is left to its webhook. Stark delivers within seconds (about a
 * minute observed in the sandbox) and retries a failed delivery after 5 minutes: an event still
 * undelivered after that has missed its first delivery at least.
 */
export const DELIVERY_GRACE_MS = 5 * 60_000
/** Above this many invoices to ask about, listing every credit since the last sweep is cheaper. */
const BY_IDS_LIMIT = 100
/** Invoice logs after which no credit can come. */
const CLOSED = new Set(['canceled', 'expired'])

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10)

/** A `created` Stark did not send or that does not parse counts as old: never skipped for good. */
const createdAfter = (created: string | undefined, at: number): boolean =>
  created !== undefined && Date.parse(created) > at

export class CatchUp {
  private running: Promise<CatchUpResult> | undefined
  /** Clock time at the start of the last complete sweep: later sweeps list only what came after. */
  private watermark: number | undefined

  constructor(
    private readonly ctx: EngineContext,
    private readonly intake: Intake,
    /** Stark shows this invoice credited: the outbox checks it and transfers. */
    private readonly onCredit: (invoiceId: string) => void
  ) {}

  /**
   * Runs one sweep; a call while one is running shares it. A final sweep (before completing a run)
   * also counts money still on its way, so it never shares a sweep that does not.
   */
  run(options: { final?: boolean } = {}): Promise<CatchUpResult> {
    const final = options.final === true
    if (this.running && final)
      return this.running.then(
        () => this.run(options),
        () => this.run(options)
      )
    if (!this.running) this.running = this.sweep(final).finally(() => (this.running = undefined))
    return this.running
  }

  /** Resolves when no sweep is running (stop waits for it before closing the journal). */
  async idle(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined)
  }

  get busy(): boolean {
    return this.running !== undefined
  }

  private async sweep(final: boolean): Promise<CatchUpResult> {
    const result: CatchUpResult = {
      events: 0,
      credits: 0,
      statuses: 0,
      awaitingCredit: 0,
      waiting: 0,
      complete: false
    }
    const started = this.ctx.clock.now()
    try {
      await this.events(result)
      await this.transferStatuses(result)
      await this.credits(result, final)
      result.complete = !this.ctx.stopped()
      if (result.complete) this.watermark = started
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

  private async events(result: CatchUpResult): Promise<void> {
    const { projection, stark } = this.ctx
    const grace = this.ctx.clock.now() - DELIVERY_GRACE_MS
    for (const raw of await stark.undeliveredEvents(this.eventsSince())) {
      if (this.ctx.stopped()) return
      if (createdAfter(raw.created, grace)) {
        result.waiting++
        continue
      }
      const event = raw as unknown as IncomingEvent
      // Other apps may share the workspace: their events are theirs to mark delivered.
      if (describeEvent(event, 'catch-up', projection.runTags).verdict === 'ignored') continue
      if (!projection.seenEvents.has(event.id)) {
        await this.intake.accept(event, 'catch-up')
        result.events++
      }
      await stark.markDelivered(event.id)
    }
  }

  /**
   * After a complete sweep, events since the day before it; before that, since the day before the
   * oldest run that still has something unsettled (older events cannot concern it).
   */
  private eventsSince(): string | undefined {
    if (this.watermark !== undefined) return day(this.watermark - DAY_MS)
    const { projection } = this.ctx
    const starts = new Set<number>()
    for (const invoice of projection.invoices.values()) {
      const start = projection.runStarts.get(invoice.runId)
      if (start !== undefined && this.unsettled(invoice)) starts.add(start)
    }
    if (projection.run) starts.add(projection.run.startedAt)
    return starts.size > 0 ? day(Math.min(...starts) - DAY_MS) : undefined
  }

  private unsettled(invoice: InvoiceState): boolean {
    if (!invoice.credit) return !invoice.held && !CLOSED.has(invoice.lastLog ?? '')
    const transfer = this.ctx.projection.transfers.get(invoice.id)
    return !transfer || !isFinished(transfer)
  }

  private async transferStatuses(result: CatchUpResult): Promise<void> {
    const { projection, stark } = this.ctx
    const open = [...projection.transfers.values()].filter((t) => t.transferId && !isFinished(t))
    if (open.length === 0) return
    for (const found of await stark.transfersByIds(open.map((t) => t.transferId as string))) {
      if (this.ctx.stopped()) return
      const invoiceId = projection.transferIdToInvoice.get(found.id) ?? null
      const known = invoiceId ? projection.transfers.get(invoiceId) : undefined
      if (!known || mergeStatus(known.status, found.status) === known.status) continue
      await record(this.ctx, {
        type: 'transfer.status',
        transferId: found.id,
        invoiceId,
        status: found.status
      })
      result.statuses++
    }
  }

  private async credits(result: CatchUpResult, final: boolean): Promise<void> {
    const { projection, stark } = this.ctx
    // Claims are being checked by the outbox already; confirmed credits need nothing from here.
    const candidates = [...projection.invoices.values()].filter(
      (i) => !i.credit && !(i.claim && !i.held) && !CLOSED.has(i.lastLog ?? '')
    )
    if (candidates.length === 0) return
    const ids = new Set(candidates.map((i) => i.id))
    // A final look lists every credit of the candidates: it must not miss an old one.
    const after = final || this.watermark === undefined ? undefined : day(this.watermark - DAY_MS)
    const logs =
      after !== undefined && ids.size > BY_IDS_LIMIT
        ? (await stark.creditedLogs({ after })).filter((l) => ids.has(l.invoice.id))
        : await stark.creditedLogs({ invoiceIds: [...ids], after })
    // A credit as young as its webhook is on its way too; a final look takes every credit there is.
    const grace = this.ctx.clock.now() - DELIVERY_GRACE_MS
    const byInvoice = new Map<string, CreditedLog[]>()
    for (const log of logs) {
      if (!final && createdAfter(log.created, grace)) result.waiting++
      else byInvoice.set(log.invoice.id, [...(byInvoice.get(log.invoice.id) ?? []), log])
    }
    for (const [invoiceId, found] of byInvoice) {
      if (this.ctx.stopped()) return
      const invoice = projection.invoices.get(invoiceId)
      if (!invoice || invoice.credit) continue
      // A held credit is looked at again only when Stark shows a credited log not seen before.
      const held = invoice.held
      if (held && found.every((l) => held.logIds.includes(l.id))) continue
      this.onCredit(invoiceId)
      result.credits++
    }
    if (!final) return
    const runId = projection.run?.runId
    const unlogged = candidates.filter((i) => i.runId === runId && !i.held && !byInvoice.has(i.id))
    if (unlogged.length > 0)
      result.awaitingCredit = (
        await stark.invoicesByIds(
          unlogged.map((i) => i.id),
          'paid'
        )
      ).length
  }
}

const MAX_QUIET_INTERVALS = 8

/**
 * The time to the next periodic sweep. While sweeps find nothing missed (the last one found nothing
 * and saw nothing on its way), the gap doubles, up to 8 intervals (2 hours at the default 15
 * minutes, still within the 2.5 hours Stark itself retries a failed delivery), and the final look
 * before completion takes every credit. Webhooks
 * arriving in between are no reason to sweep more often: they show the webhook works (at `--speed
 * max` such sweeps were about half of a run's signed Stark calls). A sweep that finds anything, sees
 * anything on its way, or fails brings the gap back to the interval.
 */
export class QuietBackoff {
  private gap: number
  /** The first sweep has no earlier one to compare with: it counts as activity. */
  private first = true

  constructor(private readonly interval: number) {
    this.gap = interval
  }

  /** After a periodic sweep: `result` is undefined if it failed. */
  next(result: CatchUpResult | undefined): number {
    const quiet =
      result !== undefined &&
      result.complete &&
      result.events + result.credits + result.statuses + result.waiting === 0 &&
      !this.first
    this.first = false
    this.gap = quiet ? Math.min(this.gap * 2, this.interval * MAX_QUIET_INTERVALS) : this.interval
    return this.gap
  }

  /** Something happened outside the sweeps (a sweep asked for): the next gap is the interval. */
  reset(): void {
    this.gap = this.interval
  }
}
