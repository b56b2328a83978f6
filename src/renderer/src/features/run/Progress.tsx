/**
 * Where the run stands: batch k of N, the countdown to the next batch in Stark time and in wall
 * time (Stark time divided by the speed), and the timeline.
 */
import { Panel } from '../../components/Panel'
import { formatDuration } from '../../lib/format'
import { useApp } from '../../store/context'
import { useStarkNow, wallUntil } from '../../store/stark-clock'
import { RuntimeFailure } from './RuntimeFailure'
import { Timeline } from './Timeline'
import type { SimulatorSnapshot } from '../../../../shared/snapshot'

export function Progress(): React.JSX.Element {
  const run = useApp((s) => s.snapshot?.run ?? null)
  const now = useStarkNow(250)
  const journal = useApp((s) => s.journal)
  useApp((s) => s.journalVersion) // the stop reason arrives with the entries
  const failed = useApp((s) => s.status?.phase === 'failed' && s.connection.state !== 'lost')

  return (
    <Panel title="Progress" className="progress-panel" hideTitle>
      {/* At the top of the stage, where everyone looks: a failed engine explains itself here. */}
      <RuntimeFailure />
      {failed ? null : !run ? (
        <p className="empty">No run yet. Set the plan and press Start run.</p>
      ) : (
        <>
          <div className="progress-facts">
            <p className="big-fact" data-testid="batch-progress">
              Batch <strong>{run.batchesIssued}</strong> of <strong>{run.plan.batches}</strong>
            </p>
            <p className="countdown" data-testid="countdown">
              {countdownText(
                run,
                now,
                journal.marks.runId === run.runId ? journal.marks.stopReason : null
              )}
            </p>
          </div>
          <Timeline starkNow={now?.stark ?? null} />
        </>
      )}
    </Panel>
  )
}

type RunFacts = NonNullable<SimulatorSnapshot['run']>

function countdownText(
  run: RunFacts,
  now: ReturnType<typeof useStarkNow>,
  stopReason: string | null
): string {
  // Stopped first: a stopped run also completes once its credits settle, but not every batch went.
  if (run.stopped) {
    const why = stopReason ? ` (${stopReason})` : ''
    return `Run stopped after ${run.batchesIssued} of ${run.plan.batches} batches${why}: no more batches are issued.`
  }
  if (run.completed) return 'Run complete: every batch issued and every credit settled.'
  if (run.paused) return 'Paused: batches that come due are issued on resume, marked late.'
  if (run.nextBatchAt === null) return 'All batches issued: waiting for payments to settle.'
  if (!now) return 'Next batch soon'
  const stark = run.nextBatchAt - now.stark
  if (stark <= 0) return 'Next batch due now: the engine is issuing it.'
  const wall = wallUntil(run.nextBatchAt, now.stark, now.clock.speed)
  const wallText =
    wall === null ? 'as fast as the emulator runs' : `${formatDuration(wall)} wall time`
  return `Next batch in ${formatDuration(stark)} Stark time · ${wallText}`
}
