import { describe, expect, it } from 'vitest'
import type { EntryKind } from '../../src/shared/contract'
import type { JournalEntry } from '../../src/shared/journal'
import { FilteredView, JournalBuffer } from '../../src/renderer/src/store/journal-buffer'
import {
  brlDigits,
  kindOf,
  matchesEntry,
  searchTextOf
} from '../../src/renderer/src/store/log-filter'
import { formatBRL } from '../../src/shared/money'
import { recordedEntries } from './helpers/recorded'

const created = recordedEntries.find((e) => e.type === 'invoice.created') as Extract<
  JournalEntry,
  { type: 'invoice.created' }
>

describe('the live log filter', () => {
  it('When entries of every kind arrive, Then each lands under its chip', () => {
    const at = { v: 2 as const, seq: 1, at: 0, wall: 0, runId: null }
    const samples: [JournalEntry, string][] = [
      [{ ...at, type: 'run.paused' }, 'runs'],
      [{ ...at, type: 'catch-up.done', events: 1, credits: 0 }, 'runs'],
      [created, 'invoices'],
      [recordedEntries.find((e) => e.type === 'event.received')!, 'events'],
      [
        {
          ...at,
          type: 'webhook.rejected',
          reason: 'bad signature',
          answer: 401,
          bytes: 3,
          preview: '{}'
        },
        'rejected'
      ],
      [
        { ...at, type: 'transfer.status', transferId: '1', invoiceId: null, status: 'success' },
        'transfers'
      ],
      [
        {
          ...at,
          type: 'transfer.error',
          invoiceId: 'i',
          externalId: 'x',
          message: 'm',
          outcome: 'unknown',
          retryAt: null
        },
        'errors'
      ],
      [{ ...at, type: 'error', where: 'intake', message: 'boom' }, 'errors'],
      [
        {
          ...at,
          type: 'credit.suspicious',
          invoiceId: 'i',
          eventId: null,
          reason: 'fee above amount',
          claimed: null,
          atStark: null,
          held: true,
          logIds: []
        },
        'errors'
      ]
    ]
    for (const [entry, kind] of samples) expect(kindOf(entry), entry.type).toBe(kind)
  })

  it('When the text is an id, a name, cents or reais, Then the invoice is found', () => {
    const text = searchTextOf(created)
    const reais = (created.amount / 100).toFixed(2).replace('.', ',')
    for (const query of [
      created.invoiceId,
      created.name.split(' ')[0]!,
      String(created.amount),
      reais,
      `R$ ${reais}`
    ]) {
      expect(matchesEntry('invoices', text, { text: query }), query).toBe(true)
    }
    expect(matchesEntry('invoices', text, { text: 'no such thing' })).toBe(false)
  })

  it('When amounts are indexed, Then their digits are exactly those formatBRL shows', () => {
    for (const cents of [0, 1, 9, 99, 100, 1_050, 123_456, 100_000_000, 1_234_567_890]) {
      expect(brlDigits(cents), String(cents)).toBe(formatBRL(cents).replace(/^R\$\s*/, ''))
    }
  })

  it('When chips are pressed, Then only those kinds pass (none pressed: all)', () => {
    const text = searchTextOf(created)
    expect(matchesEntry('invoices', text, { kinds: [] })).toBe(true)
    expect(matchesEntry('invoices', text, { kinds: ['invoices', 'errors'] })).toBe(true)
    expect(matchesEntry('invoices', text, { kinds: ['transfers'] })).toBe(false)
  })
})

describe('the journal buffer', () => {
  it('When the host replays entries we hold (a reconnect), Then none is kept twice', () => {
    const buffer = new JournalBuffer()
    expect(buffer.append(recordedEntries.slice(0, 50))).toBe(50)
    expect(buffer.append(recordedEntries.slice(40, 80))).toBe(30)
    expect(buffer.entries.map((e) => e.seq)).toEqual(recordedEntries.slice(0, 80).map((e) => e.seq))
    expect(buffer.lastSeq).toBe(recordedEntries[79]!.seq)
  })

  it('When entries keep arriving under a filter, Then the incremental view equals a full filter', () => {
    const buffer = new JournalBuffer()
    const view = new FilteredView(buffer)
    const filter = { kinds: ['transfers' as const], text: '' }
    for (let i = 0; i < recordedEntries.length; i += 17) {
      buffer.append(recordedEntries.slice(i, i + 17))
      view.indexesFor(filter)
    }
    const incremental = view.indexesFor(filter)
    expect(incremental.length).toBeGreaterThan(0)
    expect(incremental).toEqual(buffer.filter(filter))
    const other = { kinds: [], text: created.invoiceId }
    expect(view.indexesFor(other)).toEqual(buffer.filter(other))
  })

  it('When thousands of entries are searched at once, Then the joined-text search finds exactly what a scan of each entry finds', () => {
    const buffer = new JournalBuffer()
    // The recorded run, 40 times over with new seqs: enough entries for the joined search.
    const many = Array.from({ length: 40 }, (_, round) =>
      recordedEntries.map((e) => ({ ...e, seq: round * recordedEntries.length + e.seq }))
    ).flat()
    buffer.append(many)
    expect(buffer.texts.length).toBeGreaterThan(1_000)
    const scan = (text: string, kinds: string[]): number[] =>
      buffer.texts.flatMap((t, i) =>
        t.includes(text) && (kinds.length === 0 || kinds.includes(buffer.kinds[i]!)) ? [i] : []
      )
    const queries = [
      created.invoiceId,
      'valid',
      'r$',
      'b1',
      'no such text',
      created.invoiceId.slice(-3)
    ]
    for (const text of queries)
      for (const kinds of [[], ['transfers'], ['events', 'invoices']] as EntryKind[][]) {
        const found = buffer.filter({ kinds, text })
        expect(found, `${text} ${kinds.join()}`).toEqual(scan(text, kinds))
      }
    expect(buffer.filter({ kinds: [], text: 'valid' }).length).toBeGreaterThan(1_000)
    // Entries that arrive later are searched too.
    buffer.append(recordedEntries.map((e) => ({ ...e, seq: 10_000_000 + e.seq })))
    expect(buffer.filter({ kinds: [], text: created.invoiceId })).toEqual(
      scan(created.invoiceId, [])
    )
  })

  it('When a run is recorded, Then the timeline marks count its batches, credits and transfers', () => {
    const buffer = new JournalBuffer()
    buffer.append(recordedEntries)
    const count = (type: string): number => recordedEntries.filter((e) => e.type === type).length
    expect(buffer.marks.batches.map((b) => b.batch)).toEqual(['b0', 'b1', 'b2'])
    expect(buffer.marks.credits).toHaveLength(count('invoice.credited'))
    expect(buffer.marks.transfers).toHaveLength(count('transfer.sent'))
    expect(buffer.marks.payments.length).toBeGreaterThanOrEqual(buffer.marks.credits.length)
  })
})
