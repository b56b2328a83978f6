/**
 * Which invoice a journal entry is about, so selecting any line opens that invoice's chain. Transfer
 * statuses and transfer events name only Stark's transfer id: the snapshot maps it back.
 */
import type { JournalEntry } from '../../../../shared/journal'
import type { SimulatorSnapshot } from '../../../../shared/snapshot'

export function invoiceIdOf(
  entry: JournalEntry,
  snapshot: SimulatorSnapshot | null
): string | null {
  switch (entry.type) {
    case 'invoice.created':
    case 'invoice.credited':
    case 'credit.suspicious':
    case 'transfer.skipped':
    case 'transfer.intent':
    case 'transfer.sent':
    case 'transfer.error':
    case 'transfer.retry':
      return entry.invoiceId
    case 'transfer.status':
      return entry.invoiceId ?? byTransfer(entry.transferId, snapshot)
    case 'event.received':
      if (entry.credit) return entry.credit.invoiceId
      if (entry.subscription === 'invoice') return entry.subjectId
      if (entry.subscription === 'transfer') return byTransfer(entry.subjectId, snapshot)
      return null
    case 'batch.issued':
      return entry.invoiceIds.length === 1 ? entry.invoiceIds[0]! : null
    default:
      return null
  }
}

function byTransfer(transferId: string, snapshot: SimulatorSnapshot | null): string | null {
  const invoice = snapshot?.invoices.find((i) => i.transfer?.transferId === transferId)
  return invoice?.id ?? null
}

/** A raw webhook body carried by the entry, if any (rejected deliveries keep a preview). */
export function rawBodyOf(entry: JournalEntry): string | null {
  const record = entry as unknown as Record<string, unknown>
  for (const key of ['raw', 'body', 'preview']) {
    if (typeof record[key] === 'string' && record[key] !== '') return record[key] as string
  }
  return null
}

/** Pretty-printed JSON when the text is JSON, the text itself otherwise. */
export function prettyBody(raw: string): string {
  try {
    return JSON.stringify(JSON.parse(raw), null, 2)
  } catch {
    return raw
  }
}
