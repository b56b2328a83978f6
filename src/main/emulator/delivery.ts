/**
 * Signed webhook delivery with Stark's retry policy (shared/stark-api.md §4): each new event is sent
 * to every webhook subscribed at that moment; a delivery that does not get HTTP 200 is recorded as an
 * Event.Attempt and retried after 5, 30 and 120 minutes of emulator time, then abandoned. Every step
 * is a persisted job, so a restart continues pending retries.
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto'
import type { EmulatorCore } from './core'
import { pythonJsonDumps } from './py-json'
import type { EventAttempt, Job, StarkEvent } from './types'
import { DeliveryTransport, type PostOutcome } from './webhook-post'

type DeliverJob = Extract<Job, { kind: 'event.deliver' }>

/** Webhook bodies carry no `isDelivered`, unlike GET responses (signed 2021 and 2025 captures). */
export function webhookBody(event: StarkEvent): string {
  const { created, id, log, subscription, workspaceId } = event
  return pythonJsonDumps({ event: { created, id, log, subscription, workspaceId } })
}

export function signBody(body: string, privateKey: string | KeyObject): string {
  return sign('sha256', Buffer.from(body), privateKey).toString('base64')
}

/**
 * Deliveries due at one moment that go out together (a batch's `created` events): Stark posts
 * concurrently too, and their receiver can record them in one write. Bounded, so that a restart
 * with many deliveries due at once does not open a connection per event.
 */
const DELIVERIES_AT_ONCE = 16

/** One delivery ready to go: what is posted, and the faults drawn for it. */
interface Prepared {
  job: DeliverJob
  body: string
  signature: string
  drop: boolean
  duplicate: boolean
}

export class WebhookDelivery {
  private readonly transport = new DeliveryTransport()
  private readonly inFlight = new Set<Promise<void>>()
  /** The signing key parsed once (parsing the PEM cost more than signing, per delivery). */
  private signingKey: { pem: string; key: KeyObject } | undefined

  constructor(private readonly core: EmulatorCore) {}

  /** Fixes the set of webhooks that must accept the event, and queues the first delivery to each. */
  enqueue(event: StarkEvent): void {
    const { state } = this.core
    const targets = Object.values(state.webhooks)
      .filter((webhook) => webhook.subscriptions.includes(event.subscription))
      .map((webhook) => webhook.id)
    this.core.put('eventTargets', event.id, targets)
    for (const webhookId of targets) {
      this.core.schedule({
        kind: 'event.deliver',
        at: this.core.now(),
        eventId: event.id,
        webhookId,
        attempt: 0
      })
    }
  }

  /**
   * Awaits the POSTs, so that a manual clock's `advance` sees their outcome: this one's and those of
   * the other deliveries to the same webhook due at the same moment, which go out with it. With a
   * shuffle window the delivery runs detached after a random real-time delay instead: only then
   * can deliveries of different moments overlap and arrive out of order. A job stays stored until
   * its outcome is recorded, so that a crash before that sends it again.
   */
  handle(job: DeliverJob): Promise<void> {
    const window = this.core.faults.shuffleWindowMs
    if (window > 0) {
      if (!this.pending(job)) {
        this.core.finishJob(job)
        return Promise.resolve()
      }
      const delay = this.core.rng.int(0, window)
      // Nobody awaits a detached delivery, so its failure is reported here rather than lost.
      this.track(this.deliverAfter(job, delay)).catch((error: unknown) =>
        this.core.log(`emulator: webhook delivery failed: ${String(error)}`)
      )
      return Promise.resolve()
    }
    const together = this.core.takeDue(
      `webhook:${job.webhookId}`,
      'event.deliver',
      job.at,
      DELIVERIES_AT_ONCE - 1
    ) as DeliverJob[]
    return this.track(this.deliverAll([job, ...together]))
  }

  onWebhookDeleted(webhookId: string): void {
    const { core } = this
    core.cancelJobs(`webhook:${webhookId}`, ['event.deliver'])
    // Only events not delivered yet can change: settling a delivered one leaves it delivered.
    for (const eventId of core.indexes.events.idsWith('isDelivered', 'false')) {
      if (core.state.eventTargets[eventId]?.includes(webhookId)) this.settle(eventId)
    }
  }

  onEventDeleted(eventId: string): void {
    const { state } = this.core
    this.core.cancelJobs(`event:${eventId}`, ['event.deliver'])
    if (state.deliveredTo[eventId]) this.core.remove('deliveredTo', eventId)
    if (state.eventTargets[eventId]) this.core.remove('eventTargets', eventId)
  }

  /** Cuts in-flight POSTs and shuffle delays short; their jobs stay stored for the next start. */
  async stop(): Promise<void> {
    this.transport.stop()
    await Promise.allSettled([...this.inFlight])
  }

  // --- One delivery ---

  private pending(job: DeliverJob): boolean {
    const { state } = this.core
    return Boolean(
      state.events[job.eventId] &&
      state.webhooks[job.webhookId] &&
      !state.deliveredTo[job.eventId]?.includes(job.webhookId)
    )
  }

  private track(work: Promise<void>): Promise<void> {
    this.inFlight.add(work)
    return work.finally(() => this.inFlight.delete(work))
  }

  private async deliverAfter(job: DeliverJob, delayMs: number): Promise<void> {
    // Cut short by a stop: the job is still stored, and the next start sends it.
    if (!(await this.transport.wait(delayMs))) return
    await this.deliverAll([job])
    // Detached from the job runner, so nothing else saves what this delivery changed.
    await this.core.save()
  }

  /**
   * Posts together, then records the outcomes in schedule order: what recording draws (a failed
   * attempt's id) must not depend on which answer came first.
   */
  private async deliverAll(jobs: DeliverJob[]): Promise<void> {
    const sends = jobs.map((job) => this.send(this.prepare(job)))
    const outcomes = await Promise.allSettled(sends)
    let failure: unknown
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') this.record(jobs[i] as DeliverJob, outcome.value)
      else failure ??= outcome.reason
    })
    if (failure !== undefined) throw failure
  }

  /** The body, its signature and the fault draws, in schedule order, before anything is awaited. */
  private prepare(job: DeliverJob): Prepared | undefined {
    if (!this.pending(job)) return undefined
    const { faults } = this.core
    const body = webhookBody(this.core.state.events[job.eventId] as StarkEvent)
    const drop = this.chance(faults.dropDeliveries)
    const duplicate = !drop && this.chance(faults.duplicateDeliveries)
    return { job, body, signature: signBody(body, this.privateKey()), drop, duplicate }
  }

  private async send(prepared: Prepared | undefined): Promise<PostOutcome | 'gone'> {
    if (!prepared) return 'gone'
    const { job, body, signature } = prepared
    const { state, config } = this.core
    // What a receiver is sent must survive a crash: the event (and this job) is on disk first.
    await this.core.saveRecords([
      ['events', job.eventId],
      ['eventTargets', job.eventId],
      ['webhooks', job.webhookId]
    ])
    // Checked again: the webhook or event may have been deleted meanwhile.
    if (!this.pending(job)) return 'gone'
    if (prepared.drop)
      return {
        kind: 'timeout',
        message: `HTTP POST request timed out after ${config.deliveryTimeoutMs} ms`
      }
    const url = (state.webhooks[job.webhookId] as { url: string }).url
    const outcome = await this.transport.post(url, body, signature, config.deliveryTimeoutMs)
    if (outcome.kind !== 'aborted' && prepared.duplicate) {
      // The copy is a replay of the same signed bytes; only the first answer counts.
      await this.transport.post(url, body, signature, config.deliveryTimeoutMs)
    }
    return outcome
  }

  private record(job: DeliverJob, outcome: PostOutcome | 'gone'): void {
    // Cut short by a stop: the job stays stored, and the next start sends it.
    if (outcome !== 'gone' && outcome.kind === 'aborted') return
    // 'gone': its event or webhook was deleted, so there is nothing left to deliver.
    if (outcome !== 'gone') {
      if (this.accepted(outcome)) this.markDelivered(job.eventId, job.webhookId)
      else this.fail(job, outcome)
    }
    this.core.finishJob(job)
  }

  private accepted(outcome: PostOutcome): boolean {
    if (outcome.kind !== 'status') return false
    if (this.core.config.acceptAny2xx) return outcome.status >= 200 && outcome.status < 300
    return outcome.status === 200
  }

  private fail(job: DeliverJob, outcome: Exclude<PostOutcome, { kind: 'aborted' }>): void {
    const { core } = this
    const attempt: EventAttempt = {
      id: core.newId(),
      code: outcome.kind === 'status' ? 'badHttpStatus' : outcome.kind,
      message:
        outcome.kind === 'status'
          ? `HTTP POST request returned status ${outcome.status}`
          : outcome.message,
      eventId: job.eventId,
      webhookId: job.webhookId,
      created: core.iso()
    }
    core.put('attempts', attempt.id, attempt)
    const delayMinutes = core.config.retryMinutes[job.attempt]
    if (delayMinutes === undefined) return
    core.schedule({
      kind: 'event.deliver',
      at: core.now() + delayMinutes * 60_000,
      eventId: job.eventId,
      webhookId: job.webhookId,
      attempt: job.attempt + 1
    })
  }

  private privateKey(): KeyObject {
    const pem = this.core.state.signingKey.privatePem
    if (this.signingKey?.pem !== pem) this.signingKey = { pem, key: createPrivateKey(pem) }
    return this.signingKey.key
  }

  // --- Bookkeeping ---

  /**
   * Lazy writes: lost in a crash, the event only shows as undelivered again (Stark's own state after
   * a lost answer; catch-up takes it and the receiver de-duplicates), so this rides with the next
   * commit instead of costing an fsync of its own between two steps of a run.
   */
  private markDelivered(eventId: string, webhookId: string): void {
    const delivered = this.core.state.deliveredTo[eventId] ?? []
    if (!delivered.includes(webhookId))
      this.core.put('deliveredTo', eventId, [...delivered, webhookId], true)
    this.settle(eventId, true)
  }

  /**
   * Delivered once every webhook subscribed at the event's creation accepted it. A webhook deleted
   * before accepting no longer counts: nothing will ever be sent to it again.
   */
  private settle(eventId: string, lazy = false): void {
    const { state } = this.core
    const event = state.events[eventId]
    const delivered = state.deliveredTo[eventId] ?? []
    if (!event || delivered.length === 0) return
    const targets = state.eventTargets[eventId] ?? delivered
    const required = targets.filter((id) => state.webhooks[id] || delivered.includes(id))
    if (event.isDelivered || !required.every((id) => delivered.includes(id))) return
    event.isDelivered = true
    this.core.changed('events', eventId, lazy)
  }

  /** Draws only when the fault is on, so that fault-free runs keep the same random stream. */
  private chance(probability: number): boolean {
    return probability > 0 && this.core.rng.chance(probability)
  }
}
