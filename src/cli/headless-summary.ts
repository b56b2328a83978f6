/**
 * The run's closing line. Two questions, answered separately: do the invariants hold (no double or
 * missing transfer, the planned batches and nothing more), and did the trial do its job (something
 * was paid, credited and transferred)? A run at a speed too high for the emulator to pay anything
 * keeps its invariants and proves nothing: it must not exit 0.
 */
import type { InvariantReport } from '../main/engine/invariants'
import type { SimulatorSnapshot } from '../shared/snapshot'
import { formatBRL } from '../shared/money'
import type { Line } from './headless-output'

export interface Summary {
  line: Line
  human: string
  ok: boolean
}

/** Why the trial did not do its job; empty when it did. */
export function shortcomings(snapshot: SimulatorSnapshot): string[] {
  const t = snapshot.totals
  const reasons: string[] = []
  if (t.invoices === 0) reasons.push('no invoice was issued')
  else if (t.paid === 0)
    reasons.push(
      `none of the ${t.invoices} invoices was paid before the run ended (a lower --speed or a longer --settle-minutes gives the sandbox time to pay)`
    )
  else if (t.credited === 0) reasons.push(`${t.paid} invoices were paid but none was credited`)
  else if (t.transfersSucceeded === 0)
    reasons.push(`${t.credited} invoices were credited but no transfer succeeded`)
  return reasons
}

export function summarize(snapshot: SimulatorSnapshot, report: InvariantReport): Summary {
  const { totals } = snapshot
  const batches = snapshot.batches.filter((b) => b.key.startsWith('b')).length
  const reasons = shortcomings(snapshot)
  const ok = report.ok && reasons.length === 0
  const planned = snapshot.run?.sizes.length ?? batches
  // A run stopped by hand is judged on what it issued: its batches are not "the planned ones".
  const stopped = snapshot.run?.stopped === true && batches < planned
  const scope = stopped
    ? ` for the ${batches} of ${planned} batches issued before it was stopped`
    : ''
  const verdict = report.ok
    ? reasons.length === 0
      ? `all invariants hold${scope}, and the trial did its job`
      : `all invariants hold${scope}, but the trial did not do its job: ${reasons.join('; ')}`
    : 'INVARIANTS BROKEN'
  return {
    ok,
    line: {
      type: 'summary',
      ok,
      invariantsHold: report.ok,
      trialDidItsJob: reasons.length === 0,
      reasons,
      problems: report.problems,
      runId: snapshot.run?.runId ?? null,
      batches,
      plannedBatches: planned,
      stopped: snapshot.run?.stopped ?? false,
      ...totals,
      checkedAtStark: report.checked
    },
    human: [
      `Summary: ${verdict}`,
      `  batches ${batches}${stopped ? ` of ${planned} (stopped)` : ''}, invoices ${totals.invoices} (${formatBRL(totals.invoicedAmount)}), paid ${totals.paid}, unpaid ${totals.invoices - totals.paid}`,
      `  credited ${totals.credited} (${formatBRL(totals.creditedAmount)}), fees ${formatBRL(totals.fees)}`,
      `  transfers sent ${totals.transfersSent}, succeeded ${totals.transfersSucceeded} (${formatBRL(totals.transferredAmount)}), failed ${totals.transfersFailed}, pending ${totals.transfersPending}, skipped ${totals.skipped}`,
      ...report.problems.map((p) => `  problem: ${p}`)
    ].join('\n')
  }
}
