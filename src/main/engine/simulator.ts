/**
 * The simulator facade: one object, created with its dependencies injected, that the desktop app
 * exposes over IPC and the headless CLI drives from a terminal. It owns the journal, the webhook
 * server, the run scheduler, the outbox and catch-up, and nothing in it knows whether Stark is the
 * emulator or the real sandbox. Every command is safe to press at any moment and twice: at the wrong
 * time it is refused with an AppError whose code the front ends branch on, and otherwise it answers
 * with what actually happened.
 */
import { randomInt } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { AppError } from '../../shared/errors'
import type { StarkClient } from '../stark/client'
import type { Clock, RealTime } from '../time/clock'
import { createRng } from '../time/rng'
import { BatchIssuer } from './batches'
import { CatchUp, type CatchUpResult } from './catch-up'
import { SweepLoop } from './sweep-loop'
import {
  classifyFailure,
  inBackground,
  starkAppError,
  trackCommands,
  type EngineContext,
  type Logger
} from './context'
import { loadInstallation } from './installation'
import { ensureWebhook } from './webhook-registration'
import { Intake, type IncomingEvent, type IntakeResult } from './intake'
import { checkInvariants, type InvariantReport } from './invariants'
import { Journal, type JournalBatchListener, type JournalOptions, type OpenReport } from './journal'
import { runIdOf } from './journal-run'
import type { EntryOf, JournalEntry, JournalEnvelope } from '../../shared/journal'
import type { EntryFilter } from '../../shared/journal-filter'
import { RejectedSampler } from './rejected-sampler'
import { Lifecycle, type EnginePhase } from './lifecycle'
import { createRunCommands, type RunCommands } from './run-commands'
import { Outbox } from './outbox'
import { DEFAULT_DESTINATION, type Destination } from '../../shared/plan'
import { Projection } from './projection'
import { RunScheduler } from './scheduler'
import { Scope, Tasks } from './scope'
import { createSignatureVerifier } from './signature'
import { snapshotOf, type SimulatorSnapshot } from './snapshot'
import { createWebhookServer, type ProbeResponder } from './webhook-server'

export interface SimulatorDeps {
  clock: Clock
  stark: StarkClient
  /** Folder for everything persistent: the journal and the installation's webhook secret. */
  stateDir: string
  logger: Logger
  destination?: Destination
  /** `probe`: the tunnel's reachability self-test nonces (src/main/tunnel/probe.ts), if any. */
  webhook?: { host?: string; port?: number; probe?: ProbeResponder }
  /** Clock time between catch-up sweeps. */
  catchUpIntervalMs?: number
  seed?: number
  /** Real time stop() waits for work in flight (a Stark call) before closing the journal anyway. */
  stopWaitMs?: number
  /** Wall time (entries' `wall`, the rejected-delivery minutes), from the composition root. */
  realTime: RealTime
  /** Journal tuning and, for tests, the file handle (to simulate short writes and a full disk). */
  journal?: Pick<JournalOptions, 'tailSize' | 'indexEvery' | 'openHandle'> & {
    /** Rejected deliveries journaled one by one per minute of wall time (default 10). */
    rejectedPerMinute?: number
  }
}

/** The run's buttons (run-commands.ts) and everything else the front ends drive. */
export interface Simulator extends RunCommands {
  /** idle, starting, running, stopping or stopped. */
  readonly phase: EnginePhase
  /** Starts the webhook server, resumes what a crash or stop cut off, and begins catch-up. */
  start(): Promise<{ webhookUrl: string }>
  /** Stops everything within a bound and leaves nothing armed; a stopped engine does not restart. */
  stop(): Promise<void>
  replayEvent(eventId: string): Promise<{ verdict: IntakeResult }>
  /** A new attempt for a transfer that finished without moving the money. */
  retryTransfer(invoiceId: string): Promise<{ attempt: number }>
  catchUp(): Promise<CatchUpResult>
  snapshot(): SimulatorSnapshot
  /**
   * Every journal entry after `afterSeq` (default: the last durable one, so only new ones), oldest
   * first, in batches, once durable: replayed from memory or disk, then live; asynchronous, no gap,
   * no duplicate. A listener that throws is detached and logged; the engine never waits on it.
   */
  subscribe(options: { afterSeq?: number }, onBatch: JournalBatchListener): () => void
  /** Older durable entries, NEWEST FIRST, before `beforeSeq`, filtered (see Journal.entries). */
  entries(options: {
    beforeSeq?: number
    limit: number
    filter?: EntryFilter
  }): Promise<{ entries: JournalEntry[]; hasMore: boolean }>
  /** What opening the journal found and repaired (empty `repairs` when nothing), for the front ends. */
  readonly journalOpened: OpenReport
  /** The seq of the newest durable entry: what `subscribe({})` starts after and entries() ends at. */
  readonly lastSeq: number
  /**
   * Points this installation's one Stark webhook at `url` (default: the local server), deleting
   * webhooks left at an old URL (a new port or tunnel).
   */
  registerWebhook(url?: string): Promise<{ id: string; created: boolean; removed: number }>
  /**
   * Journals a change of the public webhook URL's state (the runtime's tunnel). A no-op once the
   * engine is stopping: the journal is closing.
   */
  recordTunnelState(state: Omit<EntryOf<'tunnel.state'>, keyof JournalEnvelope>): void
  /** Checks the run's invariants against Stark's own records. */
  verify(): Promise<InvariantReport>
  /** Resolves when no work is in flight: issuing, transfers, catch-up, completion checks. */
  idle(): Promise<void>
  readonly webhookUrl: string | undefined
}

export async function createSimulator(deps: SimulatorDeps): Promise<Simulator> {
  await mkdir(deps.stateDir, { recursive: true, mode: 0o700 })
  const installation = await loadInstallation(deps.stateDir)
  const { realTime } = deps
  const projection = new Projection()
  // Rejected deliveries are counted, and sampled into the journal (bounded under a flood).
  const rejected = new RejectedSampler(
    (body) => inBackground(ctx, 'journal', journal.append(body).durable),
    realTime,
    { perMinute: deps.journal?.rejectedPerMinute }
  )
  // The projection is folded synchronously, on open and in every append: the engine reads it right
  // after recording. Each entry's run is computed here, once, from the state before it applies.
  const journal = await Journal.open(join(deps.stateDir, 'journal.ndjson'), {
    clock: deps.clock,
    realTime,
    logger: deps.logger,
    fold: (entry) => {
      projection.apply(entry)
      rejected.fold(entry)
    },
    runOf: (body) => runIdOf(body, projection),
    ...deps.journal
  })

  const tasks = new Tasks()
  const scope = new Scope(deps.clock, tasks)
  const ctx: EngineContext = {
    clock: deps.clock,
    stark: deps.stark,
    journal,
    projection,
    destination: deps.destination ?? DEFAULT_DESTINATION,
    logger: deps.logger,
    scope,
    tasks,
    stopped: () => !scope.alive
  }
  const life = new Lifecycle<{ webhookUrl: string }>()
  const outbox = new Outbox(ctx)
  const seed = deps.seed ?? randomInt(2 ** 31)
  const rng = createRng(seed + projection.lastSeq)
  const issuer = new BatchIssuer(ctx, seed)
  // The final look at Stark before completing a run is a catch-up sweep (defined just below).
  const scheduler = new RunScheduler(ctx, issuer, () => catchUp.run({ final: true }))
  const credit = (invoiceId: string): void =>
    inBackground(
      ctx,
      `transfer for ${invoiceId}`,
      outbox.ensure(invoiceId).then(() => scheduler.checkCompletion())
    )
  const intake = new Intake(ctx, credit)
  const catchUp = new CatchUp(ctx, intake, credit)
  const verifier = createSignatureVerifier({
    fetchPublicKey: () => deps.stark.fetchPublicKey(),
    clock: deps.clock
  })
  const server = createWebhookServer({
    host: deps.webhook?.host ?? '127.0.0.1',
    port: deps.webhook?.port ?? 0,
    secret: installation.webhookSecret,
    probe: deps.webhook?.probe,
    verifier,
    sink: {
      accept: (event, _raw) => intake.accept(event as unknown as IncomingEvent, 'webhook'),
      // Nothing waits on a rejection's entry; a failed write is reported, never left unhandled.
      rejected: (info) => rejected.reject(info)
    },
    onError: (error) => deps.logger.error(`webhook server: ${String(error)}`)
  })
  // Completion depends on transfer outcomes, which arrive as events. An engine reaction, not a
  // subscriber: it runs whatever front-end listeners do, checked once the current append is done.
  // `transfer.sent` too: a recovered transfer takes the final status of events that arrived before
  // its id was known, so it can be the last change of the run.
  const settles = new Set([
    'transfer.status',
    'transfer.sent',
    'transfer.skipped',
    'transfer.error',
    'credit.suspicious'
  ])
  journal.react((entry) => {
    if (settles.has(entry.type))
      queueMicrotask(() => inBackground(ctx, 'completion check', scheduler.checkCompletion()))
  })

  const catchUpEvery = deps.catchUpIntervalMs ?? 15 * 60_000
  const sweeps = new SweepLoop({
    clock: deps.clock,
    scope,
    catchUp,
    intervalMs: catchUpEvery,
    warn: (message) => deps.logger.warn(message)
  })

  let webhookUrl: string | undefined
  const runCommands = createRunCommands({ ctx, life, scheduler, issuer, rng })

  const idle = async (): Promise<void> => {
    for (;;) {
      // Work started by a listener or a timer in this turn shows up after it.
      await new Promise<void>((resolve) => setImmediate(resolve))
      const busy =
        journal.busy ||
        tasks.size > 0 ||
        issuer.busy ||
        outbox.busy ||
        catchUp.busy ||
        scheduler.busy ||
        runCommands.busy
      if (!busy) return
      await Promise.all([
        // Subscribers hear entries asynchronously: idle means they heard everything so far.
        journal.idle(),
        tasks.idle(),
        issuer.idle(),
        outbox.idle(),
        catchUp.idle(),
        scheduler.idle(),
        runCommands.idle()
      ])
    }
  }

  const facade: Simulator = {
    get webhookUrl() {
      return webhookUrl
    },
    get phase() {
      return life.phase
    },
    start: () =>
      life.start(async () => {
        webhookUrl = (await server.start()).url
        // Work whose answer a crash or stop cut off: once, here; each keeps its own retry timer after.
        scheduler.open()
        scheduler.resumeIntents()
        outbox.resumeAll()
        inBackground(ctx, 'batches due', scheduler.resume())
        // A run stopped (or settled) while the engine was down completes now.
        inBackground(ctx, 'completion check', scheduler.checkCompletion())
        inBackground(ctx, 'catch-up', sweeps.tick())
        return { webhookUrl }
      }),
    stop: () =>
      life.stop(async () => {
        scope.close()
        await server.stop()
        await within(idle(), deps.stopWaitMs ?? 5_000)
        try {
          rejected.flush()
        } catch (error) {
          deps.logger.warn(`journal: ${String(error)}`)
        }
        await journal.close()
      }),
    ...runCommands.commands,
    async replayEvent(eventId) {
      life.require('replay an event')
      let event
      try {
        event = await deps.stark.getEvent(eventId)
      } catch (error) {
        if (classifyFailure(error).outcome === 'rejected')
          throw new AppError(
            'not_found',
            `Stark has no event ${eventId}: ${classifyFailure(error).message}. Check the id.`
          )
        throw starkAppError(error, `fetching event ${eventId}`)
      }
      return { verdict: await intake.accept(event as unknown as IncomingEvent, 'replay') }
    },
    retryTransfer: async (invoiceId) => {
      life.require('retry a transfer')
      return outbox.retry(invoiceId)
    },
    catchUp: async () => {
      life.require('catch up with Stark')
      return sweeps.runNow()
    },
    snapshot: () => snapshotOf(projection, webhookUrl, deps.clock.now(), rejected.totals()),
    subscribe: (options, onBatch) => journal.subscribe(options, onBatch),
    entries: (options) => journal.entries(options),
    journalOpened: journal.opened,
    get lastSeq() {
      return journal.durableSeq
    },
    recordTunnelState(state) {
      if (life.phase !== 'running' && life.phase !== 'starting') return
      inBackground(ctx, 'journal', journal.append(state).durable)
    },
    verify: () => checkInvariants(projection, deps.stark),
    async registerWebhook(url = webhookUrl) {
      life.require('register the webhook')
      if (!url) throw new AppError('not_running', 'The webhook server is not listening.')
      return ensureWebhook(deps.stark, url, installation.webhookSecret)
    },
    idle
  }
  // Commands that talk to Stark hold Stark's time while they run (see time/clock.ts for the rule).
  return trackCommands(deps.clock, facade, [
    'start',
    'startRun',
    'pause',
    'resume',
    'issueBatchNow',
    'issueInvoice',
    'stopRun',
    'replayEvent',
    'retryTransfer',
    'catchUp',
    'registerWebhook',
    'verify'
  ])
}

/** Waits for `work`, but no longer than `ms` of real time (shutdown must not hang on Stark). */
async function within(work: Promise<unknown>, ms: number): Promise<void> {
  let deadline: ReturnType<typeof setTimeout> | undefined
  await Promise.race([
    work.catch(() => undefined),
    new Promise((resolve) => (deadline = setTimeout(resolve, ms)))
  ])
  clearTimeout(deadline)
}
