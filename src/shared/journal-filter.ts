/**
 * The one journal filter: the CLI, the renderer's live log and the engine's `entries()` paging all
 * use it, so a chip or a search shows the same entries everywhere. Pure TypeScript.
 *
 * Kinds are chips (an entry has exactly one kind); the text filter matches ids, names and amounts,
 * the latter both as cents ("12345") and as the pt-BR text the user sees ("R$ 123,45", "123,45").
 */
import { ENTRY_KINDS, type EntryFilter, type EntryKind } from './contract'
import type { JournalEntry, JournalType } from './journal'
import { formatBRL } from './money'

export { ENTRY_KINDS, type EntryFilter, type EntryKind }

/** Every entry type has one kind; a new type does not compile until it is given one here. */
export const KIND_OF_TYPE: Record<JournalType, EntryKind> = {
  'run.started': 'runs',
  'run.paused': 'runs',
  'run.resumed': 'runs',
  'run.stopped': 'runs',
  'run.completed': 'runs',
  'batch.issuing': 'invoices',
  'batch.issued': 'invoices',
  'batch.error': 'errors',
  'invoice.created': 'invoices',
  'invoice.credited': 'invoices',
  'credit.suspicious': 'errors',
  'event.received': 'events',
  'catch-up.done': 'events',
  // With the run's own lifecycle: the renderer's chips have no tunnel kind (yet).
  'tunnel.state': 'runs',
  'webhook.rejected': 'rejected',
  'transfer.skipped': 'transfers',
  'transfer.intent': 'transfers',
  'transfer.sent': 'transfers',
  'transfer.status': 'transfers',
  'transfer.retry': 'transfers',
  'transfer.error': 'errors',
  error: 'errors',
  'journal.repaired': 'errors'
}

export const kindOf = (entry: Pick<JournalEntry, 'type'>): EntryKind => KIND_OF_TYPE[entry.type]

/**
 * Lower case, accents and non-breaking spaces folded, and "R$ " written "r$", so "joao" finds
 * "João" and "R$ 22,34" stays one word (it must not also find "R$ 122,34").
 */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\u00a0\u202f]/g, ' ')
    .toLowerCase()
    .replace(/r\$\s*/g, 'r$')
}

const ID_FIELDS = [
  'runId',
  'invoiceId',
  'eventId',
  'transferId',
  'externalId',
  'subjectId',
  'batch',
  'name',
  'taxId'
] as const
const AMOUNT_FIELDS = ['amount', 'fee'] as const

function amountTexts(cents: number): string[] {
  if (!Number.isInteger(cents)) return []
  const brl = formatBRL(cents)
  // "R$ 1.234,56", "1234,56" and "123456": however the user types the amount.
  return [String(cents), brl, brl.replace(/\./g, '')]
}

/** The searchable words of an entry: its ids, names and amounts (nothing else). */
export function searchTextOf(entry: JournalEntry): string {
  const parts: string[] = []
  const visit = (value: Record<string, unknown>): void => {
    for (const field of ID_FIELDS) {
      const v = value[field]
      if (typeof v === 'string' && v !== '') parts.push(v)
    }
    for (const field of AMOUNT_FIELDS) {
      const v = value[field]
      if (typeof v === 'number') parts.push(...amountTexts(v))
    }
  }
  const record = entry as unknown as Record<string, unknown>
  visit(record)
  for (const nested of ['credit', 'payer'] as const) {
    const v = record[nested]
    if (typeof v === 'object' && v !== null) visit(v as Record<string, unknown>)
  }
  if (entry.type === 'batch.issued') parts.push(...entry.invoiceIds)
  return foldText(parts.join('\n'))
}

/**
 * Compiles a filter once for many entries. No kinds (or all of them) means every kind; the text is
 * split on spaces and every word must occur (so "R$ 123,45" and "joao 123" both work).
 */
export function compileFilter(filter: EntryFilter = {}): (entry: JournalEntry) => boolean {
  const kinds =
    filter.kinds && filter.kinds.length > 0 && filter.kinds.length < ENTRY_KINDS.length
      ? new Set<EntryKind>(filter.kinds)
      : undefined
  const words = foldText(filter.text ?? '')
    .split(/\s+/)
    .filter((w) => w !== '')
  if (!kinds && words.length === 0) return () => true
  return (entry) => {
    if (kinds && !kinds.has(kindOf(entry))) return false
    if (words.length === 0) return true
    const text = searchTextOf(entry)
    return words.every((w) => text.includes(w))
  }
}

export const matchesFilter = (entry: JournalEntry, filter?: EntryFilter): boolean =>
  compileFilter(filter)(entry)
