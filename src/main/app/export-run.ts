/**
 * The run's export: one JSON file (a summary and the whole journal) and three CSVs (invoices,
 * events, transfers) keyed by Stark's ids, so a presenter can open them in a spreadsheet and a
 * developer can diff them. Amounts stay integer cents, as everywhere else.
 */
import type { JournalEntry } from '../../shared/journal'
import type { SimulatorSnapshot } from '../../shared/snapshot'
import type { JournalFeed, OutgoingFile } from './ports'

const PAGE = 2000

async function wholeJournal(journal: JournalFeed): Promise<JournalEntry[]> {
  const newestFirst: JournalEntry[] = []
  let beforeSeq: number | undefined
  for (;;) {
    const page = await journal.entries({ beforeSeq, limit: PAGE })
    newestFirst.push(...page.entries)
    const oldest = page.entries.at(-1)
    if (!page.hasMore || !oldest) break
    beforeSeq = oldest.seq
  }
  return newestFirst.reverse()
}

type Cell = string | number | boolean | null | undefined

/**
 * RFC 4180 quoting, plus a leading apostrophe on text a spreadsheet would run as a formula (names
 * come from the payer generator or the user's one-click form).
 */
function cell(value: Cell): string {
  if (value === null || value === undefined) return ''
  let text = String(value)
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

export function toCsv(header: string[], rows: Cell[][]): string {
  return [header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n'
}

const iso = (ms: number): string => new Date(ms).toISOString()
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text)

export async function exportRun(
  snapshot: SimulatorSnapshot,
  journal: JournalFeed
): Promise<OutgoingFile[]> {
  const entries = await wholeJournal(journal)
  const base = `stark-run-${snapshot.run?.runId ?? 'none'}`

  const summary = {
    runId: snapshot.run?.runId ?? null,
    exportedAtStarkTime: iso(snapshot.now),
    plan: snapshot.run?.plan ?? null,
    sizes: snapshot.run?.sizes ?? [],
    state: snapshot.run
      ? {
          paused: snapshot.run.paused,
          stopped: snapshot.run.stopped,
          completed: snapshot.run.completed,
          batchesIssued: snapshot.run.batchesIssued
        }
      : null,
    totals: snapshot.totals
  }
  const json = JSON.stringify({ summary, journal: entries }, null, 2)

  const invoices = toCsv(
    [
      'invoiceId',
      'runId',
      'batch',
      'name',
      'taxId',
      'amountCents',
      'lastLog',
      'creditedCents',
      'feeCents',
      'transferExternalId',
      'transferId',
      'transferStatus'
    ],
    snapshot.invoices.map((i) => [
      i.id,
      i.runId,
      i.batch,
      i.name,
      i.taxId,
      i.amount,
      i.lastLog,
      i.credit?.amount,
      i.credit?.fee,
      i.transfer?.externalId,
      i.transfer?.transferId,
      i.transfer?.skipped ? 'skipped' : i.transfer?.status
    ])
  )
  const events = toCsv(
    [
      'seq',
      'starkTime',
      'eventId',
      'source',
      'subscription',
      'logType',
      'subjectId',
      'verdict',
      'note'
    ],
    entries.flatMap((e) =>
      e.type === 'event.received'
        ? [
            [
              e.seq,
              iso(e.at),
              e.eventId,
              e.source,
              e.subscription,
              e.logType,
              e.subjectId,
              e.verdict,
              e.note
            ]
          ]
        : []
    )
  )
  const transfers = toCsv(
    [
      'invoiceId',
      'externalId',
      'transferId',
      'amountCents',
      'attempt',
      'status',
      'skipped',
      'lastError'
    ],
    snapshot.invoices.flatMap((i) => {
      const t = i.transfer
      if (!t) return []
      return [
        [
          i.id,
          t.externalId,
          t.transferId,
          t.amount,
          t.attempt,
          t.status,
          t.skipped,
          t.lastError?.message
        ]
      ]
    })
  )
  return [
    { name: `${base}.json`, mime: 'application/json', bytes: utf8(json) },
    { name: `${base}-invoices.csv`, mime: 'text/csv', bytes: utf8(invoices) },
    { name: `${base}-events.csv`, mime: 'text/csv', bytes: utf8(events) },
    { name: `${base}-transfers.csv`, mime: 'text/csv', bytes: utf8(transfers) }
  ]
}
