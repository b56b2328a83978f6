/**
 * The emulator's shared core: state, clock, randomness, ids, the persisted job queue and event
 * emission. Resource modules (invoices, transfers, events) receive this object and nothing else.
 *
 * Every change to a stored record goes through `put`, `remove` or `changed`: the indexes follow it
 * at once and the store writes it with the next commit. A change made behind their back would be
 * lost on restart and missing from the lists, so records are never edited without one of them.
 */
import { generateKeyPairSync } from 'node:crypto'
import type { Clock, TimerId } from '../time/clock'
import { createRng, type Rng } from '../time/rng'
import type { Faults, SandboxBehaviour } from './config'
import { EmulatorIndexes } from './indexes'
import type { StateStore } from './state-store'
import type {
  Collection,
  EmulatorState,
  InvoiceLog,
  Job,
  JobInput,
  RecordOf,
  StarkEvent,
  Subscription,
  TransferLog
} from './types'

export type JobHandler<K extends Job['kind']> = (
  job: Extract<Job, { kind: K }>
) => void | Promise<void>

export interface EmulatorCoreOptions {
  clock: Clock
  config: SandboxBehaviour
  faults: Faults
  log?: (line: string) => void
}

export class EmulatorCore {
  readonly rng: Rng
  readonly clock: Clock
  config: SandboxBehaviour
  faults: Faults
  private readonly handlers = new Map<string, (job: Job) => void | Promise<void>>()
  /** Kinds whose handler removes the job itself, once its outcome is recorded. */
  private readonly selfRemoving = new Set<string>()
  private readonly timers = new Map<string, TimerId>()
  private readonly eventListeners: ((event: StarkEvent) => void)[] = []
  /** Last `iso()` stamp of the current time, in microseconds. */
  private lastNowStamp = 0
  readonly state: EmulatorState
  readonly indexes: EmulatorIndexes
  readonly log: (line: string) => void

  constructor(
    readonly store: StateStore,
    options: EmulatorCoreOptions
  ) {
    const state = store.state
    this.state = state
    this.indexes = new EmulatorIndexes(state)
    this.clock = options.clock
    this.config = options.config
    this.faults = options.faults
    this.log = options.log ?? (() => undefined)
    // Continue the random stream where the last run left it, so a restart does not replay draws.
    this.rng = createRng(state.rngSeed + state.usedIds)
  }

  now(): number {
    return this.clock.now()
  }

  // --- Changes: every edit of a stored record is announced here ---

  /**
   * Stores a new or replaced record. `lazy`: the change may wait for the next commit (StateStore);
   * only for bookkeeping whose loss in a crash merely repeats work.
   */
  put<C extends Collection>(collection: C, id: string, record: RecordOf<C>, lazy = false): void {
    ;(this.state[collection] as Record<string, RecordOf<C>>)[id] = record
    this.changed(collection, id, lazy)
  }

  remove(collection: Collection, id: string, lazy = false): void {
    delete (this.state[collection] as Record<string, unknown>)[id]
    this.changed(collection, id, lazy)
  }

  /** After editing a stored record in place. */
  changed(collection: Collection, id: string, lazy = false): void {
    this.indexes.update(this.state, collection, id)
    this.store.mark(collection, id, lazy)
  }

  /** After changing the balance or the ledger alone. */
  touched(): void {
    this.store.touch()
  }

  /**
   * Resolves once every change made so far is on disk. Awaited before anything leaves the
   * emulator (an answer, a webhook), so that nothing seen outside can be lost in a crash.
   */
  save(): Promise<void> {
    return this.store.save()
  }

  /** The same, lazy bookkeeping aside (StateStore.saveEager): what an answer waits for. */
  saveEager(): Promise<void> {
    return this.store.saveEager()
  }

  /** Resolves once these records, as they are now, are on disk (see StateStore.saveRecords). */
  saveRecords(records: readonly (readonly [Collection, string])[]): Promise<void> {
    return this.store.saveRecords(records)
  }

  /** Stark's datetime format: microseconds and an explicit `+00:00`. */
  iso(at: number = this.now()): string {
    // The clock may read fractional milliseconds (it starts from performance.now()).
    let ms = Math.floor(at)
    let micros = this.rng.int(0, 999)
    if (at === this.now()) {
      // Stamps of "now" strictly increase: records made within one millisecond (every record, on a
      // frozen test clock) must still list in the order they were made, as lists sort by `created`.
      const stamp = Math.max(ms * 1000 + micros, this.lastNowStamp + 1)
      this.lastNowStamp = stamp
      ms = Math.floor(stamp / 1000)
      micros = stamp % 1000
    }
    const sub = String(micros).padStart(3, '0')
    return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, `.$1${sub}+00:00`)
  }

  /** A fresh 16-digit id, as Stark's ids look. */
  newId(): string {
    this.state.usedIds++
    for (;;) {
      const id =
        String(this.rng.int(4, 6)) + String(this.rng.int(0, 999_999_999_999_999)).padStart(15, '0')
      if (!this.idTaken(id)) return id
    }
  }

  /** Random digits of the given length (ledger ids are 32 digits). */
  digits(length: number): string {
    let out = ''
    while (out.length < length) out += String(this.rng.int(0, 9))
    return out
  }

  hex(length: number): string {
    let out = ''
    while (out.length < length) out += this.rng.int(0, 15).toString(16)
    return out
  }

  // --- Jobs: scheduled work that survives a restart ---

  /**
   * `keepUntilDone`: the job stays stored while its handler runs and the handler removes it
   * (`finishJob`), for work that goes outside and must run again after a crash until its outcome is
   * recorded (a webhook post: its event is written, and the job with it, before the post).
   */
  on<K extends Job['kind']>(
    kind: K,
    handler: JobHandler<K>,
    options: { keepUntilDone?: boolean } = {}
  ): void {
    this.handlers.set(kind, handler as (job: Job) => void | Promise<void>)
    if (options.keepUntilDone) this.selfRemoving.add(kind)
  }

  /** A `keepUntilDone` job's outcome is recorded: it need not run again. */
  finishJob(job: Job): void {
    if (this.state.jobs[job.id]) this.remove('jobs', job.id, true)
  }

  schedule(input: JobInput): Job {
    const job = { ...input, id: `job-${this.state.usedIds++}` } as Job
    this.put('jobs', job.id, job)
    this.arm(job)
    return job
  }

  /**
   * Cancels the jobs acting on one record (`invoice:<id>`, `transfer:<id>`, `event:<id>` or
   * `webhook:<id>`) whose kind is one of `kinds` (any kind when omitted).
   */
  cancelJobs(subject: string, kinds?: readonly Job['kind'][]): void {
    for (const id of this.indexes.jobs.ids(subject)) {
      const job = this.state.jobs[id]
      if (!job || (kinds && !kinds.includes(job.kind))) continue
      this.remove('jobs', id)
      const timer = this.timers.get(id)
      if (timer !== undefined) this.clock.cancel(timer)
      this.timers.delete(id)
    }
  }

  /**
   * Takes the `keepUntilDone` jobs of `kind` on `subject` due at exactly `at` (at most `limit`) off
   * the clock, as if each had just fired: the caller runs them now and finishes each (`finishJob`).
   */
  takeDue(subject: string, kind: Job['kind'], at: number, limit: number): Job[] {
    if (!this.selfRemoving.has(kind)) throw new Error(`${kind} jobs are not kept until done`)
    const taken: Job[] = []
    for (const id of this.indexes.jobs.ids(subject)) {
      if (taken.length >= limit) break
      const job = this.state.jobs[id]
      const timer = this.timers.get(id)
      // A job without a timer is already being run.
      if (!job || job.kind !== kind || job.at !== at || timer === undefined) continue
      this.clock.cancel(timer)
      this.timers.delete(id)
      taken.push(job)
    }
    return taken
  }

  /** Re-arms every persisted job after a restart. */
  resumeJobs(): void {
    for (const job of Object.values(this.state.jobs)) this.arm(job)
  }

  stopJobs(): void {
    for (const timer of this.timers.values()) this.clock.cancel(timer)
    this.timers.clear()
  }

  /** Runs a job now regardless of its time (control API: pay an invoice now). */
  async runJob(job: Job): Promise<void> {
    const timer = this.timers.get(job.id)
    if (timer !== undefined) this.clock.cancel(timer)
    await this.fire(job)
  }

  private arm(job: Job): void {
    this.timers.set(
      job.id,
      this.clock.at(job.at, () => this.fire(job), `emulator ${job.kind}`)
    )
  }

  /**
   * Runs a due job. Its changes reach the disk with the next group commit, not one fsync per job:
   * what leaves the emulator waits for them (answers and webhook posts await `save`).
   */
  private async fire(job: Job): Promise<void> {
    this.timers.delete(job.id)
    if (!this.state.jobs[job.id]) return
    // Lazy: a job's changes are marked in this same turn and commit with its removal.
    if (!this.selfRemoving.has(job.kind)) this.remove('jobs', job.id, true)
    const handler = this.handlers.get(job.kind)
    if (!handler) throw new Error(`no handler for emulator job ${job.kind}`)
    await handler(job)
  }

  // --- Events ---

  /** Every log becomes an event; the events module delivers it to subscribed webhooks. */
  emit(subscription: Subscription, log: InvoiceLog | TransferLog): StarkEvent {
    // A stored log never changes, so the event holds that very log: memory and disk keep it once.
    const logs = subscription === 'invoice' ? this.state.invoiceLogs : this.state.transferLogs
    const event: StarkEvent = {
      id: this.newId(),
      created: this.iso(),
      isDelivered: false,
      subscription,
      workspaceId: this.state.workspaceId,
      log: logs[log.id] === log ? log : structuredClone(log)
    }
    this.put('events', event.id, event)
    for (const listener of this.eventListeners) listener(event)
    return event
  }

  onEvent(listener: (event: StarkEvent) => void): void {
    this.eventListeners.push(listener)
  }

  private idTaken(id: string): boolean {
    const s = this.state
    return Boolean(
      s.invoices[id] ??
      s.invoiceLogs[id] ??
      s.transfers[id] ??
      s.transferLogs[id] ??
      s.webhooks[id] ??
      s.events[id] ??
      s.attempts[id] ??
      s.projects[id]
    )
  }
}

export function newState(now: number, seed: number): EmulatorState {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' })
  const created = new Date(now).toISOString().replace('Z', '+00:00')
  return {
    workspaceId: String(5_000_000_000_000_000 + (seed % 999_999_999_999_999)),
    signingKey: {
      privatePem: privateKey.export({ type: 'sec1', format: 'pem' }).toString(),
      publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      created
    },
    clockNow: now,
    rngSeed: seed,
    projects: {},
    invoices: {},
    invoiceLogs: {},
    invoicePayments: {},
    transfers: {},
    transferLogs: {},
    webhooks: {},
    events: {},
    deliveredTo: {},
    eventTargets: {},
    attempts: {},
    ledger: [],
    balance: 0,
    jobs: {},
    usedIds: 0
  }
}
