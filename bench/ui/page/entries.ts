/**
 * Many journal entries shaped like a real run: the recorded 3-batch run (tests/fixtures/renderer)
 * repeated with fresh seq numbers and ids, so filters and rows see realistic text.
 */
import type { JournalEntry } from '../../../src/shared/journal'
import raw from '../../../tests/fixtures/renderer/short-run.jsonl?raw'

const template = raw
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as { type: string })
  .filter((e) => e.type !== 'summary') as JournalEntry[]

/** Ids get a per-lap suffix so each lap's invoices, events and transfers are distinct. */
const ID_KEYS = ['invoiceId', 'eventId', 'subjectId', 'transferId', 'externalId'] as const

export function makeEntries(count: number, firstSeq = 1): JournalEntry[] {
  const out: JournalEntry[] = new Array(count)
  const span = template.at(-1)!.at - template[0]!.at + 60_000
  for (let i = 0; i < count; i++) {
    const seq = firstSeq + i
    const lap = Math.floor((seq - 1) / template.length)
    const t = template[(seq - 1) % template.length]!
    const e = { ...t, seq, at: t.at + lap * span } as Record<string, unknown>
    for (const key of ID_KEYS) if (typeof e[key] === 'string') e[key] = `${e[key] as string}${lap}`
    out[i] = e as unknown as JournalEntry
  }
  return out
}
