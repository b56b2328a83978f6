/**
 * The live log's filter: kind chips and a text filter over ids, names and amounts. Kept behind these
 * two functions so the shared `src/shared/journal-filter.ts` (the same filter the CLI uses) can
 * replace the body without touching the store or the components.
 */
import type { EntryFilter, EntryKind } from '../../../shared/contract'
import { describeEntry } from '../../../shared/describe'
import type { JournalEntry } from '../../../shared/journal'
import { formatBRL } from '../../../shared/money'

export function kindOf(entry: JournalEntry): EntryKind {
  switch (entry.type) {
    case 'invoice.created':
    case 'invoice.credited':
      return 'invoices'
    case 'event.received':
      return 'events'
    case 'webhook.rejected':
      return 'rejected'
    case 'transfer.intent':
    case 'transfer.sent':
    case 'transfer.status':
    case 'transfer.retry':
    case 'transfer.skipped':
      return 'transfers'
    case 'error':
    case 'batch.error':
    case 'transfer.error':
      return 'errors'
    default:
      return 'runs'
  }
}

/** Money fields of an entry, in cents, so "1234", "12,34" and "R$ 12,34" all find it. */
function amountsOf(entry: JournalEntry): number[] {
  switch (entry.type) {
    case 'invoice.created':
    case 'transfer.intent':
      return [entry.amount]
    case 'invoice.credited':
      return [entry.amount, entry.fee, entry.amount - entry.fee]
    case 'event.received':
      return entry.credit ? [entry.credit.amount, entry.credit.fee] : []
    default:
      return []
  }
}

/**
 * Everything the text filter looks at, lower-cased, computed once per entry as it arrives: the line
 * the log shows (ids, names, formatted amounts) plus raw cents and the amounts without "R$".
 */
export function searchTextOf(entry: JournalEntry): string {
  const parts = [describeEntry(entry), entry.type]
  for (const cents of amountsOf(entry)) {
    parts.push(String(cents), formatBRL(cents).replace(/^R\$\s*/, ''))
  }
  return parts
    .join(' ')
    .replace(/\u00a0/g, ' ')
    .toLowerCase()
}

/** The filter text as the matcher wants it: trimmed, lower-cased, non-breaking spaces made plain. */
export function normalizeQuery(text: string | undefined): string {
  return (text ?? '')
    .replace(/\u00a0/g, ' ')
    .trim()
    .toLowerCase()
}

/** True when the entry passes the chips (none selected: all kinds) and contains the text. */
export function matchesEntry(
  kind: EntryKind,
  searchText: string,
  filter: EntryFilter,
  query = normalizeQuery(filter.text)
): boolean {
  if (filter.kinds && filter.kinds.length > 0 && !filter.kinds.includes(kind)) return false
  return query === '' || searchText.includes(query)
}
