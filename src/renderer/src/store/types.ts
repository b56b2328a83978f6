/** The renderer's one store: what the host told us, what the user chose, and each control's state. */
import type {
  AppInfo,
  EntryFilter,
  EntryKind,
  InvoiceChain,
  Prefs,
  RendererApi,
  RuntimeStatus
} from '../../../shared/contract'
import type {
  ConnectionReport,
  EnvironmentChoice,
  EnvironmentView,
  KeysView
} from '../../../shared/environment'
import type { Faults } from '../../../shared/faults'
import type { JournalEntry } from '../../../shared/journal'
import type { PlanInput } from '../../../shared/plan'
import type { SimulatorSnapshot } from '../../../shared/snapshot'
import type { JournalBuffer } from './journal-buffer'

/** A control's progress and its last failure, shown next to it. */
export interface ControlState {
  busy: boolean
  /** The failed result's message (what went wrong and what to do), or null. */
  error: string | null
  /** A short confirmation of the last success, when the control has something to say. */
  done: string | null
}

/** Stark's clock as last reported, with the wall time it arrived, for a countdown between pushes. */
export interface ClockReading {
  stark: number
  wall: number
  speed: number | 'max'
}

export type Tab = 'log' | 'invoices'

/** What the detail pane shows: an invoice's chain, or one entry that belongs to no invoice. */
export type Selection = { invoiceId: string; seq: number | null } | { invoiceId: null; seq: number }

export interface AppState {
  api: RendererApi
  info: AppInfo | null
  status: RuntimeStatus | null
  snapshot: SimulatorSnapshot | null
  clock: ClockReading | null
  /** `refused`: the engine turned this page away (no or wrong token): reconnecting will not help. */
  connection: { state: 'connecting' | 'live' | 'lost'; message: string | null; refused?: boolean }
  journal: JournalBuffer
  journalVersion: number
  prefs: Prefs
  faults: Faults | null
  filter: Required<EntryFilter>
  followTail: boolean
  tab: Tab
  selection: Selection | null
  controls: Record<string, ControlState>
  /** Wall-clock time (injected), for countdowns between pushes. */
  wallNow: () => number

  // --- Environment, keys, public URL (null until the host answered) ---
  environmentView: EnvironmentView | null
  keys: KeysView | null
  /** The last "Test connection" answer, for the environment it was asked in. */
  connectionReport: ConnectionReport | null
  /** Bumped when something asks for the Sandbox panel (a switch refused for lack of a key). */
  sandboxRequest: number

  // --- Log and view ---
  appendEntries(entries: readonly JournalEntry[]): void
  toggleKind(kind: EntryKind): void
  setFilterText(text: string): void
  clearFilter(): void
  setFollowTail(follow: boolean): void
  setTab(tab: Tab): void
  select(selection: Selection | null): void

  // --- Operations (each reports busy/error under its control key) ---
  startRun(plan: PlanInput): Promise<void>
  pauseRun(): Promise<void>
  resumeRun(): Promise<void>
  nextBatch(): Promise<void>
  oneInvoice(args: { name?: string; amount?: number }): Promise<void>
  stopRun(): Promise<void>
  exportRun(): Promise<void>
  setSpeed(speed: number | 'max'): Promise<void>
  advanceClock(seconds: number): Promise<void>
  setFaults(faults: Partial<Faults>): Promise<void>
  setTheme(theme: Prefs['theme']): Promise<void>
  replayEvent(eventId: string): Promise<void>
  retryTransfer(invoiceId: string): Promise<void>
  payNow(invoiceId: string): Promise<void>
  openDocument(kind: 'invoice' | 'invoice-log' | 'transfer', id: string): Promise<void>
  loadChain(invoiceId: string): Promise<InvoiceChain | null>
  loadQrCode(invoiceId: string): Promise<string | null>

  // --- Environment and keys (src/renderer/src/store/environment-actions.ts) ---
  loadEnvironment(): Promise<void>
  /** True when the host switched; a refusal is shown under `control` (default `environment:switch`). */
  switchEnvironment(choice: EnvironmentChoice, control?: string): Promise<boolean>
  /** Forgets the previous environment's log, snapshot, selection and totals (a new state folder). */
  resetForNewStateDir(): void
  /** `control`: where the outcome is shown (the dashboard's Load key file… saves the file's text). */
  saveKey(input: KeyInput & { privateKeyPem: string }, control?: string): Promise<boolean>
  loadKeyFile(input: KeyInput): Promise<boolean>
  generateKey(input: KeyInput): Promise<boolean>
  setProject(projectId: string): Promise<boolean>
  deleteKey(): Promise<boolean>
  testConnection(): Promise<void>
}

export interface KeyInput {
  projectId?: string
  allowUnprotected?: boolean
}
