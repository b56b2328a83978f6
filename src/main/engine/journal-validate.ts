/**
 * Validating a line read back, fast. Opening a journal is on the clock (100,000 entries in under a
 * second), and zod, which builds a copy of every value it checks, was most of that time. So the same
 * rules, as the JSON Schema that zod derives from the very schemas in src/shared/journal.ts, are
 * compiled once by ajv and check a line without copying it. zod stays the reference: it runs when
 * ajv refuses a line (to say what is wrong, in its words) and for every `run.started`, whose plan
 * has defaults and cross-field rules that JSON Schema does not carry.
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020'
import { z } from 'zod'
import {
  isJournalType,
  JOURNAL_VERSION,
  lineSchema,
  readEntry,
  type JournalBody,
  type JournalEntry,
  type ReadEntry
} from '../../shared/journal'

// The schemas are our own (derived from zod's): checking them against JSON Schema's meta-schema
// would compile that meta-schema first, which cost more than all the journal's validators together.
const ajv = new Ajv2020({ strict: false, allErrors: false, validateSchema: false })
// Per format, by entry type; looked up once per line, so no key is built for it.
const compiled = {
  current: new Map<unknown, ValidateFunction>(),
  legacy: new Map<unknown, ValidateFunction>()
}

function validatorFor(type: unknown, legacy: boolean): ValidateFunction | undefined {
  const cache = legacy ? compiled.legacy : compiled.current
  let validate = cache.get(type)
  if (!validate && isJournalType(type) && type !== 'run.started') {
    const schema = z.toJSONSchema(lineSchema(type, legacy), { io: 'input', unrepresentable: 'any' })
    validate = ajv.compile(schema)
    cache.set(type, validate)
  }
  return validate
}

/** readEntry() with the common case checked by ajv; same answers, a fraction of the time. */
export function readLineValue(raw: unknown): ReadEntry {
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const record = raw as { type?: unknown; v?: unknown }
    const legacy = record.v === undefined
    const validate =
      legacy || record.v === JOURNAL_VERSION ? validatorFor(record.type, legacy) : undefined
    if (validate?.(raw)) {
      if (!legacy) return { ok: true, entry: raw as JournalEntry }
      const { seq, at, ...body } = raw as JournalBody & { seq: number; at: number }
      return { ok: true, legacy: { body: body as JournalBody, seq, at } }
    }
  }
  return readEntry(raw)
}
