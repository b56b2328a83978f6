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
  type JournalType,
  type ReadEntry
} from '../../shared/journal'

const ajv = new Ajv2020({ strict: false, allErrors: false })
const compiled = new Map<string, ValidateFunction>()

function validatorFor(type: JournalType, legacy: boolean): ValidateFunction {
  const key = `${legacy ? 'v1' : 'v2'} ${type}`
  let validate = compiled.get(key)
  if (!validate) {
    const schema = z.toJSONSchema(lineSchema(type, legacy), { io: 'input', unrepresentable: 'any' })
    validate = ajv.compile(schema)
    compiled.set(key, validate)
  }
  return validate
}

/** readEntry() with the common case checked by ajv; same answers, a fraction of the time. */
export function readLineValue(raw: unknown): ReadEntry {
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const record = raw as { type?: unknown; v?: unknown }
    const legacy = record.v === undefined
    if (
      isJournalType(record.type) &&
      record.type !== 'run.started' &&
      (legacy || record.v === JOURNAL_VERSION) &&
      validatorFor(record.type, legacy)(raw)
    ) {
      if (!legacy) return { ok: true, entry: raw as JournalEntry }
      const { seq, at, ...body } = raw as JournalBody & { seq: number; at: number }
      return { ok: true, legacy: { body: body as JournalBody, seq, at } }
    }
  }
  return readEntry(raw)
}
