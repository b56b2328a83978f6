/**
 * The engine's state as plain, serializable data: what the projection folds the journal into, and the
 * snapshot the UI (over IPC or the dashboard socket) and the CLI summary read. Pure TypeScript.
 */
import type { Plan } from './plan'

export interface RunState {
  runId: string
  plan: Plan
  sizes: number[]
  startedAt: number
  paused: boolean
  stopped: boolean
  completed: boolean
}

export interface BatchState {
  key: string
  /** Stark refused it (400): it is not sent again, and the run's report says so. */
  refused: boolean
  count: number
  dueAt: number
  late: boolean
  issued: boolean
  recovered: boolean
  invoiceIds: string[]
  lastError?: string
  payer?: { name?: string; amount?: number }
}

export interface InvoiceState {
  id: string
  /** The run that issued it; credits follow it even after another run started. */
  runId: string
  batch: string
  amount: number
  name: string
  taxId: string
  /** Last invoice log type seen (created, paid, credited, overdue, ...). */
  lastLog?: string
  /** The credit as Stark's API confirmed it: what the transfer is computed from. */
  credit?: { amount: number; fee: number; eventId: string | null }
  /** What a `credited` event claimed, until Stark's API confirms it. */
  claim?: { amount: number; fee: number; eventId: string }
  /** A credit held as suspicious: no transfer until a new credited log appears or the user looks. */
  held?: { reason: string; logIds: string[] }
}

export interface TransferState {
  invoiceId: string
  externalId: string
  amount: number
  attempt: number
  transferId?: string
  status?: string
  lastError?: { message: string; outcome: 'unknown' | 'rejected'; retryAt: number | null }
  /** Failed calls for this attempt, for the backoff. */
  errorCount: number
  skipped?: string
}

export interface SimulatorSnapshot {
  now: number
  webhookUrl: string | undefined
  run: (RunState & { batchesIssued: number; nextBatchAt: number | null }) | null
  batches: BatchState[]
  invoices: (InvoiceState & { transfer: TransferState | null })[]
  totals: Totals
  /** Rejected webhook deliveries on the secret path (a bounded sample is journaled; all are counted). */
  rejected: RejectedTotals
}

export interface RejectedTotals {
  total: number
  /** By kind of reason (details folded); past a handful of kinds, the rest count as `other`. */
  byReason: Record<string, number>
}

export interface Totals {
  invoices: number
  invoicedAmount: number
  /** Invoices seen paid or credited; the rest are still open (or went overdue or expired). */
  paid: number
  credited: number
  creditedAmount: number
  fees: number
  transfersSent: number
  transfersSucceeded: number
  transferredAmount: number
  transfersFailed: number
  transfersPending: number
  skipped: number
}
