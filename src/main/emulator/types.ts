/**
 * The emulator's records, kept in Stark's own response shapes so that a record can be sent as-is
 * (GET responses, webhook bodies). Everything here is plain JSON: persistence.ts writes each changed
 * record to an append-only log and the whole state to a snapshot now and then.
 */
export interface Discount {
  percentage: number
  due: string
}

export interface Description {
  key: string
  value?: string
}

export type InvoiceStatus = 'created' | 'paid' | 'canceled' | 'overdue' | 'expired'

export interface Invoice {
  id: string
  amount: number
  nominalAmount: number
  fineAmount: number
  interestAmount: number
  discountAmount: number
  fee: number
  name: string
  taxId: string
  due: string
  expiration: number
  fine: number
  interest: number
  discounts: Discount[]
  descriptions: Description[]
  tags: string[]
  rules: unknown[]
  splits: unknown[]
  displayDescription: string
  brcode: string
  link: string
  pdf: string
  status: InvoiceStatus
  transactionIds: string[]
  created: string
  updated: string
}

export type InvoiceLogType =
  'created' | 'paid' | 'credited' | 'canceled' | 'overdue' | 'expired' | 'updated' | 'reversed'

export interface InvoiceLog {
  id: string
  created: string
  type: InvoiceLogType
  errors: string[]
  invoice: Invoice
}

export interface InvoicePayment {
  amount: number
  name: string
  taxId: string
  bankCode: string
  branchCode: string
  accountNumber: string
  accountType: string
  endToEndId: string
  method: 'pix'
}

export type TransferStatus = 'created' | 'processing' | 'success' | 'failed' | 'canceled'

export interface Transfer {
  id: string
  amount: number
  name: string
  taxId: string
  bankCode: string
  branchCode: string
  accountNumber: string
  accountType: string
  externalId: string
  scheduled: string
  description: string
  displayDescription: string
  tags: string[]
  rules: { key: string; value: unknown }[]
  fee: number
  status: TransferStatus
  transactionIds: string[]
  metadata: Record<string, unknown>
  created: string
  updated: string
}

export interface TransferLog {
  id: string
  created: string
  type: TransferStatus
  errors: string[]
  transfer: Transfer
}

export type Subscription = 'invoice' | 'transfer'

/** Webhook as Stark returns it: no `created` field. */
export interface Webhook {
  id: string
  url: string
  subscriptions: string[]
}

/** Stored webhook; `created` orders the list and is never sent. */
export interface WebhookRecord extends Webhook {
  created: string
}

/** Event as listed by GET; webhook bodies omit `isDelivered` (shared/stark-api.md §4). */
export interface StarkEvent {
  id: string
  created: string
  isDelivered: boolean
  subscription: Subscription
  workspaceId: string
  log: InvoiceLog | TransferLog
}

export type AttemptCode = 'badHttpStatus' | 'badConnection' | 'timeout'

export interface EventAttempt {
  id: string
  code: AttemptCode
  message: string
  eventId: string
  webhookId: string
  created: string
}

/** Scheduled work, persisted so that a restart continues the same story. */
export type Job =
  | { id: string; at: number; kind: 'invoice.pay'; invoiceId: string }
  | { id: string; at: number; kind: 'invoice.credit'; invoiceId: string }
  | { id: string; at: number; kind: 'invoice.overdue'; invoiceId: string }
  | { id: string; at: number; kind: 'invoice.expire'; invoiceId: string }
  | { id: string; at: number; kind: 'transfer.process'; transferId: string }
  | { id: string; at: number; kind: 'transfer.settle'; transferId: string }
  | {
      id: string
      at: number
      kind: 'event.deliver'
      eventId: string
      webhookId: string
      attempt: number
    }

export type JobInput = Job extends infer J ? (J extends Job ? Omit<J, 'id'> : never) : never

export interface Project {
  id: string
  publicKey: string
  created: string
}

export interface LedgerEntry {
  id: string
  amount: number
  description: string
  source: string
  created: string
}

export interface EmulatorState {
  workspaceId: string
  /** The emulator's own secp256k1 key pair (PEM); it signs webhook bodies. */
  signingKey: { privatePem: string; publicPem: string; created: string }
  /** Virtual time when the state was last written; a restart resumes from here. */
  clockNow: number
  rngSeed: number
  projects: Record<string, Project>
  invoices: Record<string, Invoice>
  invoiceLogs: Record<string, InvoiceLog>
  invoicePayments: Record<string, InvoicePayment>
  transfers: Record<string, Transfer>
  transferLogs: Record<string, TransferLog>
  webhooks: Record<string, WebhookRecord>
  events: Record<string, StarkEvent>
  /** Per event: ids of the webhooks that accepted it with HTTP 200. */
  deliveredTo: Record<string, string[]>
  /** Per event: the webhooks subscribed when it was created, all of which must accept it. */
  eventTargets: Record<string, string[]>
  attempts: Record<string, EventAttempt>
  ledger: LedgerEntry[]
  balance: number
  jobs: Record<string, Job>
  usedIds: number
}

/** The keyed record collections of the state: what a change names (collection, id). */
export type Collection = {
  [K in keyof EmulatorState]: EmulatorState[K] extends Record<string, infer V>
    ? V extends object
      ? K
      : never
    : never
}[keyof EmulatorState]

export const COLLECTIONS = [
  'projects',
  'invoices',
  'invoiceLogs',
  'invoicePayments',
  'transfers',
  'transferLogs',
  'webhooks',
  'events',
  'deliveredTo',
  'eventTargets',
  'attempts',
  'jobs'
] as const satisfies readonly Collection[]

/** The record type stored in a collection. */
export type RecordOf<C extends Collection> = EmulatorState[C][string]
