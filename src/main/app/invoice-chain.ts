/**
 * Everything that happened to one invoice, for the log's detail pane: its issue, each event about
 * it or its transfer (with source and verdict), its credit, and its transfer with each status.
 */
import type { InvoiceChain } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import type { JournalEntry } from '../../shared/journal'
import type { JournalFeed, SimulatorPort } from './ports'

const PAGE = 2000

/** Every entry whose searchable text holds `text`, oldest first. */
async function allMatching(journal: JournalFeed, text: string): Promise<JournalEntry[]> {
  const out: JournalEntry[] = []
  let beforeSeq: number | undefined
  for (;;) {
    const page = await journal.entries({ beforeSeq, limit: PAGE, filter: { text } })
    out.push(...page.entries)
    const oldest = page.entries.at(-1)
    if (!page.hasMore || !oldest) break
    beforeSeq = oldest.seq
  }
  return out.reverse()
}

function isAbout(entry: JournalEntry, invoiceId: string, transferId: string | undefined): boolean {
  switch (entry.type) {
    case 'batch.issued':
      return entry.invoiceIds.includes(invoiceId)
    case 'event.received':
      return (
        entry.subjectId === invoiceId ||
        entry.credit?.invoiceId === invoiceId ||
        (transferId !== undefined && entry.subjectId === transferId)
      )
    case 'transfer.status':
      return entry.invoiceId === invoiceId || entry.transferId === transferId
    default:
      return 'invoiceId' in entry && entry.invoiceId === invoiceId
  }
}

export async function invoiceChain(
  simulator: SimulatorPort,
  journal: JournalFeed,
  invoiceId: string
): Promise<InvoiceChain> {
  const found = await allMatching(journal, invoiceId)
  const transferId =
    simulator.snapshot().invoices.find((i) => i.id === invoiceId)?.transfer?.transferId ??
    found.find((e) => e.type === 'transfer.sent')?.transferId
  const more = transferId ? await allMatching(journal, transferId) : []
  const bySeq = new Map<number, JournalEntry>()
  for (const entry of [...found, ...more])
    if (isAbout(entry, invoiceId, transferId)) bySeq.set(entry.seq, entry)
  if (bySeq.size === 0)
    throw new AppError(
      'not_found',
      `Nothing in the journal is about invoice ${invoiceId}. Pick an invoice from the list.`
    )
  return { invoiceId, entries: [...bySeq.values()].sort((a, b) => a.seq - b.seq) }
}
