import { describe, expect, it } from 'vitest'
import { summarize } from '../../src/cli/headless-summary'
import type { InvariantReport } from '../../src/main/engine/invariants'
import { readFileSync } from 'node:fs'
import { Projection } from '../../src/main/engine/projection'
import { snapshotOf } from '../../src/main/engine/snapshot'
import type { JournalEntry } from '../../src/shared/journal'
import type { SimulatorSnapshot } from '../../src/shared/snapshot'

/** A real 3-batch run recorded from the CLI (the renderer's tests read the same file). */
function recordedSnapshot(): SimulatorSnapshot {
  const url = new URL('../fixtures/renderer/short-run.jsonl', import.meta.url)
  const entries = readFileSync(url, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as JournalEntry)
    .filter((e) => (e.type as string) !== 'summary')
  const projection = new Projection()
  for (const entry of entries) projection.apply(entry)
  return snapshotOf(projection, undefined, entries.at(-1)?.at ?? 0, { total: 0, byReason: {} })
}

const held: InvariantReport = { ok: true, problems: [], checked: {} } as unknown as InvariantReport

describe('the closing summary', () => {
  it('When a run completes, Then it says all invariants hold and the trial did its job', () => {
    const summary = summarize(recordedSnapshot(), held)
    expect(summary.human).toMatch(/^Summary: all invariants hold, and the trial did its job/)
    expect(summary.line).toMatchObject({ ok: true, stopped: false, plannedBatches: 3 })
  })

  it('When a run was stopped before its last batch, Then the summary says so and on what it judged', () => {
    const snapshot = recordedSnapshot()
    const stopped = {
      ...snapshot,
      run: { ...snapshot.run!, stopped: true },
      batches: snapshot.batches.filter((b) => b.key !== 'b2')
    }
    const summary = summarize(stopped, held)
    expect(summary.human).toContain(
      'all invariants hold for the 2 of 3 batches issued before it was stopped'
    )
    expect(summary.human).toContain('batches 2 of 3 (stopped)')
    expect(summary.line).toMatchObject({ stopped: true, batches: 2, plannedBatches: 3 })
  })
})
