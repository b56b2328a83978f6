/**
 * Driving the run: the plan and Start run (open when no run is going), Pause / Resume, Next batch
 * now, Stop run, and One invoice now.
 */
import { ActionButton } from '../../components/ActionButton'
import { Panel } from '../../components/Panel'
import { useApp } from '../../store/context'
import { OneInvoiceForm } from './OneInvoiceForm'
import { PlanForm } from './PlanForm'

export function RunPanel(): React.JSX.Element {
  const run = useApp((s) => s.snapshot?.run ?? null)
  const prefsLoaded = useApp((s) => s.prefs.plan !== undefined)
  const pauseRun = useApp((s) => s.pauseRun)
  const resumeRun = useApp((s) => s.resumeRun)
  const nextBatch = useApp((s) => s.nextBatch)
  const stopRun = useApp((s) => s.stopRun)
  const active = Boolean(run && !run.stopped && !run.completed)

  return (
    <Panel title="Run" className="run-panel">
      {!run && (
        <p className="run-line run-invite" data-testid="run-invite">
          No run yet: check the plan below and press <strong>Start run</strong>.
        </p>
      )}
      {run && (
        <p className="run-line">
          <span className="mono">Run {run.runId}</span>{' '}
          <span className={`pill pill-${runState(run)}`} data-testid="run-state">
            {RUN_STATE_TEXT[runState(run)]}
          </span>
        </p>
      )}
      {active && (
        <div className="row run-controls">
          {run?.paused ? (
            <ActionButton
              control="run:resume"
              label="Resume"
              variant="primary"
              onPress={resumeRun}
            />
          ) : (
            <ActionButton control="run:pause" label="Pause" onPress={pauseRun} />
          )}
          <ActionButton control="run:next-batch" label="Next batch now" onPress={nextBatch} />
          <ActionButton control="run:stop" label="Stop run" variant="danger" onPress={stopRun} />
        </div>
      )}
      <details className="plan" open={!active}>
        <summary>{active ? 'Plan for the next run' : 'Plan'}</summary>
        {/* Keyed on the preferences arriving, so the form starts from the last plan used. */}
        <PlanForm key={prefsLoaded ? 'last' : 'defaults'} />
      </details>
      <div className="subsection">
        <h3>One invoice now</h3>
        <OneInvoiceForm />
      </div>
    </Panel>
  )
}

type RunStateName = 'running' | 'paused' | 'stopped' | 'completed'

const RUN_STATE_TEXT: Record<RunStateName, string> = {
  running: 'Running',
  paused: 'Paused',
  stopped: 'Stopped',
  completed: 'Complete'
}

/** A stopped run also completes once its credits settle; it still reads Stopped, not Complete. */
function runState(run: { paused: boolean; stopped: boolean; completed: boolean }): RunStateName {
  if (run.stopped) return 'stopped'
  if (run.completed) return 'completed'
  return run.paused ? 'paused' : 'running'
}
