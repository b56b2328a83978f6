/**
 * The one contract between the engine's host (the Electron main process, or the headless engine behind
 * the browser dashboard) and the renderer: every operation with its argument schema and result type,
 * and every event the host pushes. Main registers handlers by looking the schema up here, the preload
 * exposes one named function per operation typed from here, and the dashboard socket serves the same
 * table, so a channel cannot be paired with the wrong schema and the three transports cannot drift.
 *
 * Pure TypeScript (zod only): imported by main, preload (types only), renderer and CLI.
 *
 * Every argument arrives in the host as `unknown`; the schema is the only thing that turns it into a
 * typed value, so a compromised renderer or a hostile web page cannot smuggle in unexpected shapes.
 */
import { z } from 'zod'
import type { ErrorCode } from './errors'
import {
  environmentChoiceSchema,
  keyFromHostSchema,
  saveKeySchema,
  setProjectSchema,
  type ConnectionReport,
  type CredentialsView,
  type EnvironmentView,
  type KeysView
} from './environment'
import { faultsPatchSchema, type Faults } from './faults'
import type { JournalEntry } from './journal'
import { oneInvoiceSchema, planSchema } from './plan'
import type { SimulatorSnapshot } from './snapshot'

// --- Results ---

/** Expected failures travel as data (only `error.message` survives ipcMain.handle); bugs are thrown. */
export type Result<T> = { ok: true; data: T } | { ok: false; code: ErrorCode; message: string }

export const ok = <T>(data: T): Result<T> => ({ ok: true, data })

export const fail = <T = never>(code: ErrorCode, message: string): Result<T> => ({
  ok: false,
  code,
  message
})

// --- Shapes the operations return ---

export interface AppInfo {
  name: string
  version: string
  /** Which host serves this renderer: the desktop app or the headless engine's browser dashboard. */
  host: 'desktop' | 'dashboard'
}

export type RuntimePhase = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed'

/** What the header shows: which Stark, whether the engine and its webhook server run, Stark's time. */
export interface RuntimeStatus {
  phase: RuntimePhase
  /** Set when phase is 'failed': what went wrong and what to do. */
  error: { code: ErrorCode; message: string } | null
  environment: 'emulator' | 'sandbox'
  target: {
    kind: 'embedded' | 'external' | 'sandbox'
    /** One line for the header, e.g. "Embedded emulator" or "Sandbox project 5656…". */
    label: string
    emulatorUrl: string | null
    projectId: string | null
  }
  stateDir: string
  webhook: { listening: boolean; url: string | null; rejected: number }
  /** Stark's time (epoch ms) when the status was taken, and how fast it runs. */
  clock: { now: number; speed: number | 'max' }
  /** The public webhook URL (a localtunnel tunnel, or the user's own), null when none is configured. */
  publicUrl: PublicUrlStatus | null
}

/** Times are wall-clock epoch ms: the tunnel waits real seconds whatever Stark's speed. */
export interface PublicUrlStatus {
  /** `localtunnel`: a tunnel this app opens on `host`; `public-url`: the user's own, checked only. */
  mode: 'localtunnel' | 'public-url'
  /** The localtunnel server (mode localtunnel), else null. */
  host: string | null
  state: 'connecting' | 'up' | 'down' | 'stopped'
  /** The public base URL while up (and the last one known when down), null before the first. */
  url: string | null
  /** The last passed reachability check. */
  lastCheckAt: number | null
  /** Why it is down, in words with what to do; null otherwise. */
  reason: string | null
  nextTryAt: number | null
  /** Worth knowing although it works (a replaced subdomain, an http URL). */
  notice: string | null
  /** This installation's Stark webhook at the public URL. */
  webhook: {
    state: 'pending' | 'registered' | 'failed'
    /** The full webhook URL registered at Stark. */
    url: string | null
    reason: string | null
  } | null
}

export interface RunView {
  runId: string
  paused: boolean
  stopped: boolean
  completed: boolean
}

/** Kinds of journal entries, for the live log's filter chips. */
export const ENTRY_KINDS = [
  'runs',
  'invoices',
  'events',
  'transfers',
  'rejected',
  'errors'
] as const
export type EntryKind = (typeof ENTRY_KINDS)[number]

export const entryFilterSchema = z
  .object({
    kinds: z.array(z.enum(ENTRY_KINDS)).max(ENTRY_KINDS.length).optional(),
    text: z.string().max(200).optional()
  })
  .strict()
export type EntryFilter = z.infer<typeof entryFilterSchema>

/** Everything that happened to one invoice, for the log's detail pane. */
export interface InvoiceChain {
  invoiceId: string
  /** Journal entries about this invoice, its events and its transfer, oldest first. */
  entries: JournalEntry[]
}

/** A file handed to the browser for download (the dashboard has no save dialog). */
export interface FilePayload {
  name: string
  mime: string
  base64: string
}

/** The desktop opens a document or saves an export with a dialog in main; the browser downloads it. */
export type Delivered =
  | { kind: 'opened'; path: string }
  | { kind: 'saved'; paths: string[] }
  | { kind: 'cancelled' }
  | { kind: 'download'; files: FilePayload[] }

export interface ClockView {
  now: number
  speed: number | 'max'
}

export const THEMES = ['system', 'light', 'dark'] as const

export const prefsSchema = z
  .object({
    theme: z.enum(THEMES),
    /** The plan form's last values. */
    plan: planSchema.optional(),
    speed: z.union([z.number().min(0).max(10_000_000), z.literal('max')]).optional()
  })
  .strict()
export type Prefs = z.infer<typeof prefsSchema>

// --- Operations ---

/** An operation: its argument schema, and (as a type only) its result. */
export interface Operation<S extends z.ZodType, R> {
  args: S
  /** Never set at run time: carries the result type. */
  readonly result?: R
}

const op =
  <R>() =>
  <S extends z.ZodType>(args: S): Operation<S, R> => ({ args })

const none = z.undefined()
const id = z.string().regex(/^[0-9A-Za-z_-]{1,64}$/)
const speed = z.union([z.number().min(0).max(10_000_000), z.literal('max')])

/**
 * Renderer -> host requests, named `domain:verb`. The preload turns `run:one-invoice` into
 * `api.run.oneInvoice(args)`.
 */
export const operations = {
  'app:info': op<AppInfo>()(none),
  /**
   * The renderer is ready for pushes. The host sends every journal entry after `afterSeq` (none
   * missing, none twice), then keeps pushing live. Without `afterSeq`, only new entries are pushed
   * (the renderer pages older ones with `journal:entries`).
   */
  'session:ready': op<{ lastSeq: number }>()(
    z.object({ afterSeq: z.number().int().min(0).optional() }).strict()
  ),
  'runtime:status': op<RuntimeStatus>()(none),
  'snapshot:get': op<SimulatorSnapshot>()(none),

  'run:start': op<{ runId: string; sizes: number[] }>()(
    z.object({ plan: planSchema.optional() }).strict()
  ),
  'run:pause': op<RunView>()(none),
  'run:resume': op<RunView>()(none),
  'run:stop': op<RunView>()(z.object({ reason: z.string().max(200).optional() }).strict()),
  'run:next-batch': op<{ batch: string | null; issued: boolean }>()(none),
  'run:one-invoice': op<{ invoiceId: string }>()(oneInvoiceSchema),
  'run:export': op<Delivered>()(none),

  /** Older entries, newest first, for scrolling back (the live tail arrives by push). */
  'journal:entries': op<{ entries: JournalEntry[]; hasMore: boolean }>()(
    z
      .object({
        beforeSeq: z.number().int().min(1).optional(),
        limit: z.number().int().min(1).max(2000),
        filter: entryFilterSchema.optional()
      })
      .strict()
  ),
  'invoice:chain': op<InvoiceChain>()(z.object({ invoiceId: id }).strict()),
  'invoice:qrcode': op<{ dataUrl: string }>()(
    z.object({ invoiceId: id, size: z.number().int().min(1).max(50).optional() }).strict()
  ),
  'invoice:pay-now': op<{ invoiceId: string }>()(z.object({ invoiceId: id }).strict()),
  'document:open': op<Delivered>()(
    z.object({ kind: z.enum(['invoice', 'invoice-log', 'transfer']), id }).strict()
  ),
  'event:replay': op<{ verdict: 'recorded' | 'duplicate' | 'ignored' }>()(
    z.object({ eventId: id }).strict()
  ),
  'transfer:retry': op<{ attempt: number }>()(z.object({ invoiceId: id }).strict()),

  'emulator:clock': op<ClockView>()(
    z
      .object({
        speed: speed.optional(),
        advanceSeconds: z
          .number()
          .min(0)
          .max(10 * 365 * 86_400)
          .optional()
      })
      .strict()
  ),
  'emulator:faults': op<Faults>()(faultsPatchSchema.optional()),

  /** Which Stark (emulator or sandbox), the public webhook URL choice, and each one's folder. */
  'environment:get': op<EnvironmentView>()(none),
  /**
   * Stops what runs (cleanly: the run stays in its folder) and starts the chosen environment; the
   * same choice again restarts it (after a failure). The sandbox needs stored credentials.
   */
  'environment:switch': op<EnvironmentView>()(environmentChoiceSchema),
  /** The stored sandbox credentials without the private key, and how it is protected here. */
  'keys:get': op<KeysView>()(none),
  /** Validates and stores a pasted key (or one the page read from a file). */
  'keys:save': op<CredentialsView>()(saveKeySchema),
  /** Desktop: main opens a file dialog and reads the key; null when the user cancelled. */
  'keys:load-file': op<CredentialsView | null>()(keyFromHostSchema),
  /** Makes a new secp256k1 pair and stores it; the public key is to be pasted into Stark's console. */
  'keys:generate': op<CredentialsView>()(keyFromHostSchema),
  /** Gives (or corrects) the project id of the saved key, e.g. after the key made the project. */
  'keys:set-project': op<CredentialsView>()(setProjectSchema),
  'keys:delete': op<{ deleted: boolean }>()(none),
  /** Balance, Stark's public key and the webhook list, through the SDK, with the stored credentials. */
  'connection:test': op<ConnectionReport>()(none),

  'prefs:get': op<Prefs>()(none),
  'prefs:set': op<Prefs>()(prefsSchema.partial().strict())
} as const

export type Operations = typeof operations
export type OperationName = keyof Operations
export type ArgsOf<K extends OperationName> = z.input<Operations[K]['args']>
export type ParsedArgsOf<K extends OperationName> = z.output<Operations[K]['args']>
export type ResultOf<K extends OperationName> =
  Operations[K] extends Operation<z.ZodType, infer R> ? R : never

export const OPERATION_NAMES = Object.keys(operations) as OperationName[]

/** Host-side handlers: one per operation, given parsed arguments; expected failures as `fail()`. */
export type Handlers = {
  [K in OperationName]: (args: ParsedArgsOf<K>) => Promise<Result<ResultOf<K>>>
}

// --- Events the host pushes ---

export interface HostEvents {
  /** New journal entries in seq order, batched; after `session:ready`, never a gap or a duplicate. */
  journal: { entries: JournalEntry[] }
  /** The engine's state after the latest change (coalesced: the newest wins). */
  snapshot: SimulatorSnapshot
  /** Lifecycle, webhook server and clock (coalesced). */
  status: RuntimeStatus
}

export type HostEventName = keyof HostEvents

export const HOST_EVENT_NAMES: readonly HostEventName[] = ['journal', 'snapshot', 'status']

/**
 * Pushes are coalesced: the host sends at most this many messages a second in all, however fast
 * the engine writes (journal batches are concatenated; snapshot and status keep only the newest).
 */
export const MAX_PUSHES_PER_SECOND = 20

// --- Naming ---

/** `run:one-invoice` -> ['run', 'oneInvoice']: the preload's and the dashboard client's method path. */
export function methodPath(name: OperationName): [string, string] {
  const [domain, verb] = name.split(':') as [string, string]
  return [domain, verb.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())]
}

/**
 * The API the renderer sees, grouped by domain (`api.run.oneInvoice(...)`), derived from the map:
 * the preload's object must satisfy it, and the dashboard client implements it over a WebSocket.
 */
type Camel<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S
type DomainOf<K> = K extends `${infer D}:${string}` ? D : never
type VerbOf<K> = K extends `${string}:${infer V}` ? Camel<V> : never

type Call<K extends OperationName> =
  undefined extends ArgsOf<K>
    ? (args?: ArgsOf<K>) => Promise<Result<ResultOf<K>>>
    : (args: ArgsOf<K>) => Promise<Result<ResultOf<K>>>

export type RendererApi = {
  [D in DomainOf<OperationName>]: {
    [K in OperationName as DomainOf<K> extends D ? VerbOf<K> : never]: Call<K>
  }
} & {
  /** Subscribes to a pushed event; returns the unsubscribe function. */
  on<E extends HostEventName>(event: E, listener: (payload: HostEvents[E]) => void): () => void
}
