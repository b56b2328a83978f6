/**
 * The one journal filter (src/shared/journal-filter.ts) the CLI, the renderer and `entries()` use,
 * and the one-line descriptions of the new entry shapes.
 */
import { describe, expect, it } from 'vitest'
import { describeEntry } from '../../src/shared/describe'
import { JOURNAL_TYPES, type JournalBody, type JournalEntry } from '../../src/shared/journal'
import {
  compileFilter,
  ENTRY_KINDS,
  kindOf,
  KIND_OF_TYPE,
  matchesFilter
} from '../../src/shared/journal-filter'

const entry = (body: JournalBody, seq = 1): JournalEntry =>
  ({ v: 2, seq, at: 0, wall: 0, runId: 'a1b2c3d4e5', ...body }) as JournalEntry

const created = entry({
  type: 'invoice.created',
  invoiceId: '5629412477239296',
  batch: 'b3',
  amount: 123_456,
  name: 'João Araújo',
  taxId: '012.345.678-90'
})
const credited = entry({
  type: 'event.received',
  eventId: '4828751214395392',
  source: 'webhook',
  subscription: 'invoice',
  logType: 'credited',
  subjectId: '5629412477239296',
  verdict: 'valid',
  credit: { invoiceId: '5629412477239296', amount: 123_456, fee: 50 }
})
const transfer = entry({
  type: 'transfer.intent',
  invoiceId: '5629412477239296',
  externalId: 'ssim-5629412477239296',
  amount: 123_406,
  attempt: 0
})
const failure = entry({
  type: 'transfer.error',
  invoiceId: '5629412477239296',
  externalId: 'ssim-5629412477239296',
  message: 'Stark answered 500 (internal error)',
  outcome: 'unknown',
  retryAt: null
})
const rejected = entry({
  type: 'webhook.rejected',
  reason: 'no Digital-Signature header',
  answer: 401,
  bytes: 20,
  preview: '{}'
})
const all = [created, credited, transfer, failure, rejected]

describe('journal filter', () => {
  it('When an entry type is classified, Then it has exactly one of the six kinds', () => {
    expect(Object.keys(KIND_OF_TYPE).sort()).toEqual([...JOURNAL_TYPES].sort())
    for (const type of JOURNAL_TYPES) expect(ENTRY_KINDS).toContain(KIND_OF_TYPE[type])
    expect(all.map(kindOf)).toEqual(['invoices', 'events', 'transfers', 'errors', 'rejected'])
  })

  it('When filtering by kind chips, Then only those kinds pass; none or all chips pass everything', () => {
    const pick = (kinds: (typeof ENTRY_KINDS)[number][]) => all.filter(compileFilter({ kinds }))
    expect(pick(['transfers', 'errors'])).toEqual([transfer, failure])
    expect(pick(['rejected'])).toEqual([rejected])
    expect(pick([])).toEqual(all)
    expect(pick([...ENTRY_KINDS])).toEqual(all)
  })

  it('When searching text, Then ids, names and amounts match, in cents or as Brazilian reais', () => {
    const find = (text: string) => all.filter(compileFilter({ text }))
    // Ids: invoice, event, external id
    expect(find('5629412477239296')).toEqual([created, credited, transfer, failure])
    expect(find('4828751214395392')).toEqual([credited])
    expect(find('ssim-5629')).toEqual([transfer, failure])
    // Names, without accents or case
    expect(find('joao araujo')).toEqual([created])
    expect(find('JOÃO')).toEqual([created])
    // Amounts: cents, BRL with and without thousands separator, fee
    expect(find('123456')).toEqual([created, credited])
    expect(find('R$ 1.234,56')).toEqual([created, credited])
    expect(find('r$1234,56')).toEqual([created, credited])
    expect(find('1.234,06')).toEqual([transfer])
    expect(find('R$ 0,50')).toEqual([credited])
    // A whole amount does not match a longer one that ends with it
    expect(find('R$ 234,56')).toEqual([])
    // Words must all match
    expect(find('joao 1.234,56')).toEqual([created])
    expect(find('joao 999')).toEqual([])
  })

  it('When searching words that are not ids, names or amounts, Then nothing else is searched', () => {
    expect(all.filter(compileFilter({ text: 'internal error' }))).toEqual([])
    expect(all.filter(compileFilter({ text: 'Digital-Signature' }))).toEqual([])
  })

  it('When kinds and text are combined, Then both must match', () => {
    expect(matchesFilter(transfer, { kinds: ['transfers'], text: '1.234,06' })).toBe(true)
    expect(matchesFilter(created, { kinds: ['transfers'], text: '1.234,56' })).toBe(false)
    expect(matchesFilter(created, undefined)).toBe(true)
  })
})

describe('entry descriptions', () => {
  it('When a summary of suppressed rejections is described, Then it gives the count, the minute and the reasons', () => {
    const text = describeEntry(
      entry({
        type: 'webhook.rejected',
        suppressed: 1_990,
        byReason: { 'no Digital-Signature header': 1_500, 'empty body': 490 },
        from: Date.UTC(2026, 0, 5, 12, 0),
        to: Date.UTC(2026, 0, 5, 12, 1)
      })
    )
    expect(text).toBe(
      'webhook: 1990 more rejected deliveries between 2026-01-05 12:00:00 and 2026-01-05 12:01:00 (wall time) were counted, not journaled one by one: no Digital-Signature header x1500, empty body x490'
    )
  })

  it('When a repaired journal is described, Then each repair is said in words', () => {
    const text = describeEntry(
      entry({
        type: 'journal.repaired',
        file: '/state/journal.ndjson',
        repairs: [
          { kind: 'torn-line-cut', line: 9, offset: 1_800, bytes: 41 },
          { kind: 'newline-added', line: 8, seq: 8 }
        ],
        migrated: { entries: 8, backup: '/state/journal.ndjson.v1-backup' }
      })
    )
    expect(text).toMatch(
      /^journal \/state\/journal\.ndjson repaired on open: cut off a torn last line 9 \(41 bytes at byte 1800\)/
    )
    expect(text).toMatch(/added the missing newline after the last entry \(line 8, seq 8\)/)
    expect(text).toMatch(
      /8 entries migrated from the previous format \(original kept as \/state\/journal\.ndjson\.v1-backup\)$/
    )
  })
})
