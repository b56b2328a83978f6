/**
 * The narrow interfaces the contract's handlers and the push hub are built against. Electron-free:
 * the desktop app and the browser dashboard fill them in from the runtime (runtime-ports.ts), and
 * transport tests from memory. Each is the smallest slice of the runtime (target, simulator facade,
 * journal, documents, emulator) that the operations need.
 */
import type {
  AppInfo,
  ClockView,
  Delivered,
  EntryFilter,
  Prefs,
  RunView,
  RuntimeStatus
} from '../../shared/contract'
import type { Environment, PublicUrlChoice } from '../../shared/environment'
import type { Faults } from '../../shared/faults'
import type { KeyStore } from '../secrets/key-store'
import type { Environments } from './environments'
import type { JournalEntry } from '../../shared/journal'
import type { PlanInput } from '../../shared/plan'
import type { SimulatorSnapshot } from '../../shared/snapshot'

// --- The engine ---

/**
 * The simulator facade's commands as the handlers use them: each returns what actually happened
 * and throws `AppError` (src/shared/errors.ts) for an expected refusal.
 */
export interface SimulatorPort {
  startRun(plan?: PlanInput): Promise<{ runId: string; sizes: number[] }>
  pause(): Promise<RunView>
  resume(): Promise<RunView>
  stopRun(reason?: string): Promise<RunView>
  issueBatchNow(): Promise<{ batch: string | null; issued: boolean }>
  issueInvoice(options: { name?: string; amount?: number }): Promise<{ invoiceId: string }>
  replayEvent(eventId: string): Promise<{ verdict: 'recorded' | 'duplicate' | 'ignored' }>
  retryTransfer(invoiceId: string): Promise<{ attempt: number }>
  snapshot(): SimulatorSnapshot
}

/**
 * The journal as front ends read it: a subscription that first replays what came after `afterSeq`
 * and then goes live (asynchronous, batched, in seq order, no gap, no duplicate), and paging back.
 */
export interface JournalFeed {
  subscribe(from: { afterSeq: number }, onBatch: (entries: JournalEntry[]) => void): () => void
  /** Older entries, newest first: those with seq < `beforeSeq` (or the newest) that pass `filter`. */
  entries(query: {
    beforeSeq?: number
    limit: number
    filter?: EntryFilter
  }): Promise<{ entries: JournalEntry[]; hasMore: boolean }>
  /** The seq of the newest durable entry (0 when the journal is empty). */
  lastSeq(): number
}

/** What only an emulator can do (the real sandbox has none of it). */
export interface EmulatorControls {
  clock(change: { speed?: number | 'max'; advanceSeconds?: number }): Promise<ClockView>
  faults(patch?: Partial<Faults>): Promise<Faults>
  payNow(invoiceId: string): Promise<void>
}

/** A document Stark serves (through the SDK), as bytes. */
export interface DocumentSource {
  invoiceQrcode(invoiceId: string, size?: number): Promise<Uint8Array>
  pdf(kind: 'invoice' | 'invoice-log' | 'transfer', id: string): Promise<Uint8Array>
}

/** The parts of a running runtime the operations reach; absent while it is not running. */
export interface LiveRuntime {
  simulator: SimulatorPort
  journal: JournalFeed
  documents: DocumentSource
  /** Set only when Stark is an emulator. */
  emulator?: EmulatorControls
}

// --- The host ---

export interface OutgoingFile {
  name: string
  mime: string
  bytes: Uint8Array
}

/**
 * What differs between the desktop app and the browser: the desktop asks where to save with a
 * dialog opened by main (a path never comes from the renderer) and opens documents with the OS;
 * the browser dashboard hands the bytes to the page as a download.
 */
export interface HostCapabilities {
  save(files: OutgoingFile[]): Promise<Delivered>
  open(file: OutgoingFile): Promise<Delivered>
  /**
   * Desktop only: a file dialog opened by main, and the chosen key file's text (null when the user
   * cancelled). The browser page reads a chosen file itself and sends its text.
   */
  readKeyFile?(): Promise<string | null>
}

/** Window bounds are the desktop's own; the rest is what the renderer reads and writes. */
export interface WindowBounds {
  x?: number
  y?: number
  width: number
  height: number
  maximized?: boolean
}

export type StoredPrefs = Prefs & {
  windowBounds?: WindowBounds
  /** The environment in use at quit, started again next time. */
  environment?: Environment
  publicUrl?: PublicUrlChoice
}

/** Preferences on disk: electron-store in the desktop app, `conf` (same format) elsewhere. */
export interface PrefsStore {
  read(): StoredPrefs
  write(patch: Partial<StoredPrefs>): StoredPrefs
  /** Where the file lives (for messages). */
  readonly path: string
}

/** Everything the handlers and the push hub need. */
export interface HostDeps {
  info: AppInfo
  /** Always answers, also while the runtime starts, stops or failed. */
  status(): RuntimeStatus
  /** The running runtime's parts, or undefined when it is not running. */
  live(): LiveRuntime | undefined
  prefs: PrefsStore
  host: HostCapabilities
  /** Switching between the emulator and the sandbox; absent where one runtime is fixed (tests). */
  environments?: EnvironmentPort
  /** The sandbox credentials (the private key stays in main). */
  keys?: KeyStore
}

/** What the handlers use of the environments manager (environments.ts). */
export type EnvironmentPort = Pick<
  Environments,
  'view' | 'switchTo' | 'sandboxInUse' | 'testConnection'
>
