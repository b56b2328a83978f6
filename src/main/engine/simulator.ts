/**
 * The simulator facade: one object, created with its dependencies injected, that the desktop app
 * exposes over IPC and the headless CLI drives from a terminal. It owns the journal, the webhook
 * server, the run scheduler, the outbox and catch-up, and nothing in it knows whether Stark is the
 * emulator or the real sandbox.
 */
import { randomBytes, randomInt } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { StarkClient } from '../stark/client'
import type { Clock, TimerId } from '../time/clock'
import { createRng } from '../time/rng'
import { BatchIssuer } from './batches'
import { CatchUp, type CatchUpResult } from './catch-up'
import { inBackground, record, type EngineContext, type Logger } from './context'
import { loadInstallation } from './installation'
import { ensureWebhook } from './webhook-registration'
import { Intake, type IncomingEvent } from './intake'
import { checkInvariants, type InvariantReport } from './invariants'
import { Journal } from './journal'
import type { JournalEntry } from '../../shared/journal'
import { Outbox } from './outbox'
import {
  DEFAULT_DESTINATION,
  oneInvoiceSchema,
  planSchema,
  type Destination,
  type PlanInput
} from '../../shared/plan'
import { Projection } from './projection'
import { RunScheduler } from './scheduler'
import { createSignatureVerifier } from './signature'
import { snapshotOf, type SimulatorSnapshot } from './snapshot'
import { createWebhookServer } from './webhook-server'

export interface SimulatorDeps {
  clock: Clock
  stark: StarkClient
  /** Folder for everything persistent: the journal and the installation's webhook secret. */
  stateDir: string
  logger: Logger
  destination?: Destination
  webhook?: { host?: string; port?: number }
  /** Clock time between catch-up sweeps. */
  catchUpIntervalMs?: number
  seed?: number
}

export interface Simulator {
  start(): Promise<{ webhookUrl: string }>
  stop(): Promise<void>
  startRun(plan?: PlanInput): Promise<string>
  pause(): Promise<void>
  resume(): Promise<void>
  issueBatchNow(): Promise<string | undefined>
  issueInvoice(options?: { name?: string; amount?: number }): Promise<string>
  stopRun(reason?: string): Promise<void>
  replayEvent(eventId: string): Promise<string>
  retryTransfer(invoiceId: string): Promise<void>
  catchUp(): Promise<CatchUpResult>
  snapshot(): SimulatorSnapshot
  subscribe(listener: (entry: JournalEntry) => void): () => void
  /**
   * Points this installation's one Stark webhook at `url` (default: the local server), deleting
   * webhooks left at an old URL (a new port or tunnel).
   */
  registerWebhook(url?: string): Promise<{ id: string; created: boolean; removed: number }>
  /** Checks the run's invariants against Stark's own records. */
  verify(): Promise<InvariantReport>
  /** Resolves when every queued issue and transfer has had its answer (tests and the CLI). */
  idle(): Promise<void>
  readonly webhookUrl: string | undefined
}

export async function createSimulator(deps: SimulatorDeps): Promise<Simulator> {
  await mkdir(deps.stateDir, { recursive: true, mode: 0o700 })
  const installation = await loadInstallation(deps.stateDir)
  const journal = await Journal.open(join(deps.stateDir, 'journal.ndjson'), deps.clock)
  const projection = new Projection()
  for (const entry of journal.entries) projection.apply(entry)
  journal.subscribe((entry) => projection.apply(entry))

  const timers = new Set<TimerId>()
  let stopped = false
  const ctx: EngineContext = {
    clock: deps.clock,
    stark: deps.stark,
    journal,
    projection,
    destination: deps.destination ?? DEFAULT_DESTINATION,
    logger: deps.logger,
    stopped: () => stopped,
    later(at, fn) {
      const id = deps.clock.at(at, async () => {
        timers.delete(id)
        if (!stopped) await fn()
      })
      timers.add(id)
    }
  }
  const outbox = new Outbox(ctx)
  const intake = new Intake(ctx, (invoiceId) => {
    inBackground(
      ctx,
      `transfer for ${invoiceId}`,
      outbox.ensure(invoiceId).then(() => scheduler.checkCompletion())
    )
  })
  const seed = deps.seed ?? randomInt(2 ** 31)
  const rng = createRng(seed + projection.lastSeq)
  const issuer = new BatchIssuer(ctx, seed)
  const scheduler = new RunScheduler(ctx, issuer)
  const catchUp = new CatchUp(ctx, intake)
  scheduler.finalSweep = () => catchUp.run()
  const verifier = createSignatureVerifier({
    fetchPublicKey: () => deps.stark.fetchPublicKey(),
    clock: deps.clock
  })
  const server = createWebhookServer({
    host: deps.webhook?.host ?? '127.0.0.1',
    port: deps.webhook?.port ?? 0,
    secret: installation.webhookSecret,
    verifier,
    sink: {
      accept: (event, _raw) => intake.accept(event as unknown as IncomingEvent, 'webhook'),
      rejected: (info) => {
        // Nothing waits on a rejection's entry; a failed write is reported, never left unhandled.
        const { durable } = journal.append({
          type: 'webhook.rejected',
          reason: info.reason,
          answer: info.status,
          bytes: info.bytes,
          preview: info.preview
        })
        inBackground(ctx, 'journal', durable)
      }
    },
    onError: (error) => deps.logger.error(`webhook server: ${String(error)}`)
  })
  // Completion depends on transfer outcomes, which arrive as events. Checked once the current
  // append has reached every listener, so listeners never hear entries out of order.
  // `transfer.sent` too: a recovered transfer takes the final status of events that arrived before
  // its id was known, so it can be the last change of the run.
  const settles = new Set([
    'transfer.status',
    'transfer.sent',
    'transfer.skipped',
    'transfer.error'
  ])
  journal.subscribe((entry) => {
    if (settles.has(entry.type))
      queueMicrotask(() => inBackground(ctx, 'completion check', scheduler.checkCompletion()))
  })

  const catchUpEvery = deps.catchUpIntervalMs ?? 15 * 60_000
  const tick = async (): Promise<void> => {
    // A sweep cut short by stop() cannot record its failure (the journal is closed): not a crash.
    await catchUp.run().catch((error: unknown) => deps.logger.warn(`catch-up: ${String(error)}`))
    ctx.later(deps.clock.now() + catchUpEvery, tick)
  }

  let manualInvoices = [...projection.batches.keys()].filter((k) => k.startsWith('m')).length
  let webhookUrl: string | undefined
  const requireRun = (): NonNullable<Projection['run']> => {
    if (!projection.run) throw new Error('No run has been started. Start a run first.')
    return projection.run
  }
  /** A stopped or completed run issues nothing more. */
  const requireActiveRun = (): void => {
    const run = requireRun()
    if (run.stopped || run.completed)
      throw new Error(
        `Run ${run.runId} is ${run.stopped ? 'stopped' : 'complete'}: it issues nothing more. Start a new run.`
      )
  }

  return {
    get webhookUrl() {
      return webhookUrl
    },
    async start() {
      webhookUrl = (await server.start()).url
      // Work whose answer a crash or stop cut off: once, here; each keeps its own retry timer after.
      issuer.resumeAll()
      outbox.resumeAll()
      await scheduler.resume()
      inBackground(ctx, 'catch-up', tick())
      return { webhookUrl }
    },
    async stop() {
      stopped = true
      scheduler.disarm()
      for (const id of timers) deps.clock.cancel(id)
      timers.clear()
      await server.stop()
      let deadline: ReturnType<typeof setTimeout> | undefined
      await Promise.race([
        // A sweep in flight may still hand credits to the outbox: let it finish first.
        catchUp.idle().then(() => Promise.all([issuer.idle(), outbox.idle()])),
        new Promise((r) => (deadline = setTimeout(r, 5_000)))
      ])
      clearTimeout(deadline)
      await journal.close()
    },
    async startRun(planInput = {}) {
      const current = projection.run
      if (current && !current.completed && !current.stopped) {
        throw new Error(`Run ${current.runId} is still going. Stop it before starting another.`)
      }
      const parsed = planSchema.safeParse(planInput)
      if (!parsed.success) {
        throw new Error(
          `The run plan is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'plan'} ${i.message}`).join('; ')}. Fix those values and start again.`
        )
      }
      const plan = parsed.data
      const sizes = Array.from({ length: plan.batches }, () =>
        rng.int(plan.minInvoices, plan.maxInvoices)
      )
      const runId = randomBytes(5).toString('hex')
      const startedAt = deps.clock.now()
      await record(ctx, { type: 'run.started', runId, plan, sizes, startedAt })
      manualInvoices = 0
      await scheduler.resume(startedAt)
      return runId
    },
    async pause() {
      const run = requireRun()
      if (run.paused) return
      await record(ctx, { type: 'run.paused' })
      scheduler.disarm()
    },
    async resume() {
      const run = requireRun()
      if (!run.paused) return
      await record(ctx, { type: 'run.resumed' })
      await scheduler.resume()
    },
    issueBatchNow: async () => {
      requireActiveRun()
      return scheduler.issueNext()
    },
    async issueInvoice(options = {}) {
      requireActiveRun()
      const payer = oneInvoiceSchema.safeParse(options)
      if (!payer.success) {
        throw new Error(
          `The invoice was not issued: ${payer.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}. Give a name and an amount in whole cents of at least 1.`
        )
      }
      // The key is taken before any await, so two clicks at once make two invoices, not one.
      const key = `m${++manualInvoices}`
      await issuer.issue({
        batch: key,
        count: 1,
        dueAt: deps.clock.now(),
        late: false,
        payer: payer.data
      })
      const batch = projection.batches.get(key)
      const id = batch?.invoiceIds[0]
      if (id) return id
      // An unknown outcome is retried (looked up first), so the invoice may still appear.
      const retrying = [...journal.entries]
        .reverse()
        .find((e) => e.type === 'batch.error' && e.batch === key)
      const pending = retrying?.type === 'batch.error' && retrying.retryAt !== null
      throw new Error(
        pending
          ? `Stark did not confirm the invoice (${batch?.lastError}); it is being checked and retried, and will appear in the list if it was created.`
          : `Stark refused the invoice: ${batch?.lastError ?? 'unknown error'}. Check the name and amount and try again.`
      )
    },
    async stopRun(reason = 'stopped by the user') {
      const run = requireRun()
      if (run.stopped) return
      await record(ctx, { type: 'run.stopped', reason })
      scheduler.disarm()
      await scheduler.checkCompletion()
    },
    async replayEvent(eventId) {
      const event = await deps.stark.getEvent(eventId)
      return intake.accept(event as unknown as IncomingEvent, 'replay')
    },
    retryTransfer: (invoiceId) => outbox.retry(invoiceId),
    catchUp: () => catchUp.run(),
    snapshot: () => snapshotOf(projection, webhookUrl, deps.clock.now()),
    subscribe: (listener) => journal.subscribe(listener),
    verify: () => checkInvariants(projection, deps.stark),
    async registerWebhook(url = webhookUrl) {
      if (!url) throw new Error('The webhook server is not running yet. Call start() first.')
      return ensureWebhook(deps.stark, url, installation.webhookSecret)
    },
    async idle() {
      await issuer.idle()
      await outbox.idle()
    }
  }
}
