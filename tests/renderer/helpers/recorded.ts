/**
 * A real run, recorded from `npm run headless -- --json` on the embedded emulator (3 batches of 3-4
 * invoices, seed 11), and the snapshot the engine's own projection folds it into.
 */
import type { JournalEntry } from '../../../src/shared/journal'
import type { SimulatorSnapshot } from '../../../src/shared/snapshot'
import { Projection } from '../../../src/main/engine/projection'
import { snapshotOf } from '../../../src/main/engine/snapshot'
import raw from '../../fixtures/renderer/short-run.jsonl?raw'

const lines = raw
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as { type: string })

export const recordedEntries = lines.filter((l) => l.type !== 'summary') as JournalEntry[]

/** The CLI's closing summary line for the same run. */
export const recordedSummary = lines.find((l) => l.type === 'summary') as unknown as {
  invoices: number
  invoicedAmount: number
  credited: number
  creditedAmount: number
  fees: number
  transferredAmount: number
  transfersSucceeded: number
}

export function snapshotAfter(entries: readonly JournalEntry[]): SimulatorSnapshot {
  const projection = new Projection()
  for (const entry of entries) projection.apply(entry)
  return snapshotOf(projection, undefined, entries.at(-1)?.at ?? 0, { total: 0, byReason: {} })
}
