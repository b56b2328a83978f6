/**
 * Everything the engine saw and did, as append-only journal entries. The journal is the engine's
 * durable store: the state after a restart is the fold of these entries (see projection.ts), and the
 * desktop app's live log shows them as they are appended.
 */
import type { Plan } from './plan'

export type EventSource = 'webhook' | 'catch-up' | 'replay' | 'reconcile'

export type JournalBody =
  | { type: 'run.started'; runId: string; plan: Plan; sizes: number[]; startedAt: number }
  | { type: 'run.paused' }
  | { type: 'run.resumed' }
  | { type: 'run.stopped'; reason: string }
  | { type: 'run.completed' }
  /** `batch` is `b0`..`b7` for planned batches and `m1`, `m2`, ... for one-click invoices. */
  | {
      type: 'batch.issuing'
      batch: string
      count: number
      dueAt: number
      late: boolean
      /** A one-click invoice's name and amount, kept so a retry after a restart uses them. */
      payer?: { name?: string; amount?: number }
    }
  | { type: 'batch.issued'; batch: string; invoiceIds: string[]; late: boolean; recovered: boolean }
  | { type: 'batch.error'; batch: string; message: string; retryAt: number | null }
  | {
      type: 'invoice.created'
      invoiceId: string
      batch: string
      amount: number
      name: string
      taxId: string
    }
  | {
      type: 'event.received'
      eventId: string
      source: EventSource
      subscription: string
      logType: string
      subjectId: string
      verdict: 'valid' | 'duplicate' | 'ignored'
      note?: string
      /**
       * Set when the event is a `credited` log of an invoice this installation owns: what the event
       * claims, durable with the event itself. Acted on only once Stark's API confirms it.
       */
      credit?: { invoiceId: string; amount: number; fee: number }
    }
  | { type: 'webhook.rejected'; reason: string; answer: number; bytes: number; preview: string }
  /** The credit as Stark's API holds it (the invoice and its `credited` log), read before sending. */
  | {
      type: 'invoice.credited'
      invoiceId: string
      amount: number
      fee: number
      eventId: string | null
    }
  /**
   * A credit whose values are not to be trusted: a push that disagrees with Stark's API, credited
   * logs that disagree with each other, or values that make no sense (a negative fee). Held: nothing
   * is sent until a new credited log appears or the user looks; otherwise the engine acts on Stark's
   * values, not the push's.
   */
  | {
      type: 'credit.suspicious'
      invoiceId: string
      eventId: string | null
      reason: string
      /** What the push (or listed event) said, if one did. */
      claimed: { amount: number; fee: number } | null
      /** The invoice as Stark's API holds it, or null when it shows no credit. */
      atStark: { amount: number; fee: number } | null
      held: boolean
      /** The credited logs examined; a held credit is looked at again only when another appears. */
      logIds: string[]
    }
  | { type: 'transfer.skipped'; invoiceId: string; reason: string }
  | {
      type: 'transfer.intent'
      invoiceId: string
      externalId: string
      amount: number
      attempt: number
    }
  | {
      type: 'transfer.sent'
      invoiceId: string
      externalId: string
      transferId: string
      recovered: boolean
    }
  | {
      type: 'transfer.error'
      invoiceId: string
      externalId: string
      message: string
      /** 'unknown': the call may have gone through; 'rejected': Stark refused it. */
      outcome: 'unknown' | 'rejected'
      retryAt: number | null
    }
  | { type: 'transfer.status'; transferId: string; invoiceId: string | null; status: string }
  | { type: 'transfer.retry'; invoiceId: string; attempt: number }
  | { type: 'catch-up.done'; events: number; credits: number }
  | { type: 'error'; where: string; message: string }

export type JournalEntry = JournalBody & { seq: number; at: number }
export type JournalType = JournalBody['type']
