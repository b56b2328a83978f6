/**
 * Everything the engine saw and did, as append-only journal entries. The journal is the engine's
 * durable store: the state after a restart is the fold of these entries (see projection.ts), and the
 * desktop app's live log shows them as they are appended.
 *
 * The schemas are the source of truth: the types derive from them, and every line read back from
 * disk is validated against them, so a damaged or hand-edited file is refused with its line number
 * instead of being folded into a wrong state.
 */
import { z } from 'zod'
import { planSchema, type Plan } from './plan'

/** Format of the entries this release writes. Lines without `v` are the previous release's (1). */
export const JOURNAL_VERSION = 2

const cents = z.number().int()
const time = z.number()
const sourceSchema = z.enum(['webhook', 'catch-up', 'replay', 'reconcile'])
export type EventSource = z.infer<typeof sourceSchema>

// Strict: a field the schema does not know fails loudly when appended instead of vanishing when the
// entry is read back (zod would strip it, and the state after a restart would differ).
const body = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.strictObject({ type: z.literal(type), ...shape })

/** A rejected webhook delivery, journaled as a sample (the first few each minute of wall time). */
const rejectedSample = body('webhook.rejected', {
  reason: z.string(),
  answer: z.number().int(),
  bytes: z.number().int(),
  preview: z.string()
})

/** The rejected deliveries of one minute that were counted but not journaled one by one. */
const rejectedSummary = body('webhook.rejected', {
  suppressed: z.number().int().min(1),
  /** Suppressed deliveries by reason (reasons normalized and capped, see rejected-sampler.ts). */
  byReason: z.record(z.string(), z.number().int()),
  /** The wall-time minute they were counted in: [from, to). */
  from: time,
  to: time
})

const repairSchema = z.union([
  z.object({
    kind: z.literal('torn-line-cut'),
    line: z.number().int(),
    offset: z.number().int(),
    bytes: z.number().int()
  }),
  z.object({ kind: z.literal('newline-added'), line: z.number().int(), seq: z.number().int() }),
  /** Two entries glued on one line by the previous release; the file was rewritten clean. */
  z.object({
    kind: z.literal('glued-line-split'),
    line: z.number().int(),
    entries: z.number().int()
  })
])
export type JournalRepair = z.infer<typeof repairSchema>

/** One schema per entry type, without the envelope (v, seq, at, wall, runId). */
export const bodySchemas = {
  'run.started': body('run.started', {
    runId: z.string(),
    plan: planSchema,
    sizes: z.array(z.number().int()),
    startedAt: time
  }),
  'run.paused': body('run.paused', {}),
  'run.resumed': body('run.resumed', {}),
  'run.stopped': body('run.stopped', { reason: z.string() }),
  'run.completed': body('run.completed', {}),
  /** `batch` is `b0`..`b7` for planned batches and `m1`, `m2`, ... for one-click invoices. */
  'batch.issuing': body('batch.issuing', {
    batch: z.string(),
    count: z.number().int(),
    dueAt: time,
    late: z.boolean(),
    /** A one-click invoice's name and amount, kept so a retry after a restart uses them. */
    payer: z.object({ name: z.string().optional(), amount: cents.optional() }).optional()
  }),
  'batch.issued': body('batch.issued', {
    batch: z.string(),
    invoiceIds: z.array(z.string()),
    late: z.boolean(),
    recovered: z.boolean()
  }),
  'batch.error': body('batch.error', {
    batch: z.string(),
    message: z.string(),
    retryAt: time.nullable()
  }),
  'invoice.created': body('invoice.created', {
    invoiceId: z.string(),
    batch: z.string(),
    amount: cents,
    name: z.string(),
    taxId: z.string()
  }),
  'event.received': body('event.received', {
    eventId: z.string(),
    source: sourceSchema,
    subscription: z.string(),
    logType: z.string(),
    subjectId: z.string(),
    verdict: z.enum(['valid', 'duplicate', 'ignored']),
    note: z.string().optional(),
    /**
     * Set when the event is a `credited` log of an invoice this installation owns: what the event
     * claims, durable with the event itself. Acted on only once Stark's API confirms it.
     */
    credit: z.object({ invoiceId: z.string(), amount: cents, fee: cents }).optional()
  }),
  'webhook.rejected': z.union([rejectedSample, rejectedSummary]),
  /** The credit as Stark's API holds it (the invoice and its `credited` log), read before sending. */
  'invoice.credited': body('invoice.credited', {
    invoiceId: z.string(),
    amount: cents,
    fee: cents,
    eventId: z.string().nullable()
  }),
  /**
   * A credit whose values are not to be trusted: a push that disagrees with Stark's API, credited
   * logs that disagree with each other, or values that make no sense (a negative fee). Held: nothing
   * is sent until a new credited log appears or the user looks; otherwise the engine acts on Stark's
   * values, not the push's.
   */
  'credit.suspicious': body('credit.suspicious', {
    invoiceId: z.string(),
    eventId: z.string().nullable(),
    reason: z.string(),
    /** What the push (or listed event) said, if one did. */
    claimed: z.object({ amount: z.number(), fee: z.number() }).nullable(),
    /** The invoice as Stark's API holds it, or null when it shows no credit. */
    atStark: z.object({ amount: cents, fee: cents }).nullable(),
    held: z.boolean(),
    /** The credited logs examined; a held credit is looked at again only when another appears. */
    logIds: z.array(z.string())
  }),
  'transfer.skipped': body('transfer.skipped', { invoiceId: z.string(), reason: z.string() }),
  'transfer.intent': body('transfer.intent', {
    invoiceId: z.string(),
    externalId: z.string(),
    amount: cents,
    attempt: z.number().int()
  }),
  'transfer.sent': body('transfer.sent', {
    invoiceId: z.string(),
    externalId: z.string(),
    transferId: z.string(),
    recovered: z.boolean()
  }),
  'transfer.error': body('transfer.error', {
    invoiceId: z.string(),
    externalId: z.string(),
    message: z.string(),
    /** 'unknown': the call may have gone through; 'rejected': Stark refused it. */
    outcome: z.enum(['unknown', 'rejected']),
    retryAt: time.nullable()
  }),
  'transfer.status': body('transfer.status', {
    transferId: z.string(),
    invoiceId: z.string().nullable(),
    status: z.string()
  }),
  'transfer.retry': body('transfer.retry', {
    invoiceId: z.string(),
    attempt: z.number().int()
  }),
  'catch-up.done': body('catch-up.done', {
    events: z.number().int(),
    credits: z.number().int()
  }),
  error: body('error', { where: z.string(), message: z.string() }),
  /**
   * The public webhook URL changed state (a localtunnel tunnel, or the user's own URL): connecting,
   * up at `url`, down with the reason and the next try, or stopped. Journaled on each change of
   * state, URL or reason, not on every passed reachability check. `nextTryAt` is wall time (the
   * tunnel waits real seconds, whatever Stark's speed).
   */
  'tunnel.state': body('tunnel.state', {
    mode: z.enum(['localtunnel', 'public-url']),
    state: z.enum(['connecting', 'up', 'down', 'stopped']),
    url: z.string().nullable(),
    reason: z.string().nullable(),
    nextTryAt: time.nullable(),
    /** Worth knowing although it works: a replaced subdomain, an http URL. */
    notice: z.string().optional()
  }),
  /** Opening the journal repaired its tail or migrated it from the previous format. */
  'journal.repaired': body('journal.repaired', {
    file: z.string(),
    repairs: z.array(repairSchema),
    /** Entries rewritten from the previous release's format; the original file is kept beside. */
    migrated: z.object({ entries: z.number().int(), backup: z.string() }).optional()
  })
} as const

type BodySchemas = typeof bodySchemas
export type JournalType = keyof BodySchemas
export type JournalBody = { [K in JournalType]: z.infer<BodySchemas[K]> }[JournalType]

/** What every entry carries besides its body. */
export const envelopeSchema = z.object({
  v: z.literal(JOURNAL_VERSION),
  /** Strictly increasing from 1. */
  seq: z.number().int().min(1),
  /** Stark time (the injected clock), epoch ms. */
  at: z.number().int(),
  /** Wall time of the machine (the injected `realTime`), epoch ms. */
  wall: z.number().int(),
  /**
   * The run the entry belongs to: for an invoice, transfer or event, the run that issued the
   * invoice (possibly an earlier one); null outside any run (a stranger's rejected delivery).
   */
  runId: z.string().nullable()
})
export type JournalEnvelope = z.infer<typeof envelopeSchema>

export type JournalEntry = JournalBody & JournalEnvelope
export type EntryOf<T extends JournalType> = Extract<JournalEntry, { type: T }>

/** The previous release's envelope: no version, no wall time, no run id. */
export const legacyEnvelopeSchema = z.object({ seq: z.number().int().min(1), at: z.number() })

export const JOURNAL_TYPES = Object.keys(bodySchemas) as JournalType[]

/** Checks a body before it is appended: a mismatch is a bug in the caller, never a user error. */
export function checkBody(value: JournalBody): JournalBody {
  const parsed = bodySchemas[value.type].safeParse(value)
  if (!parsed.success)
    throw new Error(`A ${value.type} entry does not match its schema: ${issuesText(parsed.error)}`)
  return value
}

export const isJournalType = (type: unknown): type is JournalType =>
  typeof type === 'string' && Object.hasOwn(bodySchemas, type)

export type ReadEntry =
  | { ok: true; entry: JournalEntry }
  /** A line of the previous release: the caller supplies `runId` (by folding) and `wall` (= at). */
  | { ok: true; legacy: { body: JournalBody; seq: number; at: number } }
  | { ok: false; problem: string }

const issuesText = (error: z.ZodError): string =>
  error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : 'entry'}: ${i.message}`)
    .join('; ')

type AnyBody = z.ZodObject | z.ZodUnion<z.ZodObject[]>

/**
 * A body schema with envelope fields added (a body's own `runId`, in `run.started`, wins). Not
 * strict: appends are checked strictly (checkBody); on read, the cost of rejecting unknown fields
 * is not paid for every line, and such a field stays on the entry rather than being dropped.
 */
function withEnvelope(schema: AnyBody, shape: z.ZodRawShape): z.ZodType {
  const extend = (object: z.ZodObject): z.ZodObject => z.object({ ...shape, ...object.shape })
  return schema instanceof z.ZodUnion ? z.union(schema.options.map(extend)) : extend(schema)
}

// Whole-line schemas, built once: one parse per line, and the line itself becomes the entry (no
// copy; opening 100,000 entries is on the clock).
const entrySchemas = new Map<JournalType, z.ZodType>()
const legacySchemas = new Map<JournalType, z.ZodType>()
/** The schema of a whole line of `type`: body and envelope, this release's or the previous one's. */
export function lineSchema(type: JournalType, legacy: boolean): z.ZodType {
  const cache = legacy ? legacySchemas : entrySchemas
  let schema = cache.get(type)
  if (!schema) {
    const shape = legacy ? legacyEnvelopeSchema.shape : envelopeSchema.shape
    schema = withEnvelope(bodySchemas[type] as AnyBody, shape)
    cache.set(type, schema)
  }
  return schema
}

/** Validates one parsed JSON value as a journal entry of this release or of the previous one. */
export function readEntry(raw: unknown): ReadEntry {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { ok: false, problem: 'not a JSON object' }
  const record = raw as { type?: unknown; v?: unknown }
  if (!isJournalType(record.type))
    return { ok: false, problem: `unknown entry type ${JSON.stringify(record.type)}` }
  if (record.v !== undefined && record.v !== JOURNAL_VERSION) {
    return {
      ok: false,
      problem: `format version ${JSON.stringify(record.v)}, but this release reads ${JOURNAL_VERSION} (was it written by a newer release?)`
    }
  }
  const legacy = record.v === undefined
  const parsed = lineSchema(record.type, legacy).safeParse(raw)
  if (!parsed.success) return { ok: false, problem: issuesText(parsed.error) }
  // Strict schemas: the line holds exactly the fields checked. Only a plan gets defaults filled in.
  const value = raw as JournalEntry
  if (value.type === 'run.started') value.plan = (parsed.data as { plan: Plan }).plan
  if (!legacy) return { ok: true, entry: value }
  const { seq, at, ...body } = value as unknown as JournalBody & { seq: number; at: number }
  return { ok: true, legacy: { body: body as JournalBody, seq, at } }
}
