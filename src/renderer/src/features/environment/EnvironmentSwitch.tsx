/**
 * The header's "Environment" control: Emulator or Sandbox, the current one pressed. Choosing the
 * other asks first (the run stops cleanly and waits in its folder), then shows the switch's progress
 * from the status phase; a refusal (no sandbox key yet) is said right here and opens the Sandbox panel.
 */
import { useId, useState } from 'react'
import type { Environment } from '../../../../shared/environment'
import { ConfirmDialog } from '../../components/ConfirmDialog'
import { useApp, useControl } from '../../store/context'
import { ENVIRONMENT_LABEL, lowerLabel as lower, switchProgress } from './environment-labels'

export function EnvironmentSwitch(): React.JSX.Element | null {
  const status = useApp((s) => s.status)
  const view = useApp((s) => s.environmentView)
  const switchEnvironment = useApp((s) => s.switchEnvironment)
  const control = useControl('environment:switch')
  const [asking, setAsking] = useState<Environment | null>(null)
  const labelId = useId()
  if (!status) return null
  const current = status.environment
  const progress = switchProgress(status.phase, current)

  const confirm = (target: Environment): void => {
    setAsking(null)
    void switchEnvironment({ environment: target })
  }

  return (
    <>
      <div className="env-switch">
        <span id={labelId} className="env-switch-label">
          Environment
        </span>
        <div className="env-switch-row">
          <div
            className="segmented"
            role="group"
            aria-labelledby={labelId}
            aria-busy={control.busy}
          >
            {(['emulator', 'sandbox'] as const).map((env) => (
              <button
                key={env}
                type="button"
                className="seg"
                aria-pressed={current === env}
                // Said while a switch is under way, rather than a press that does nothing.
                aria-disabled={control.busy || undefined}
                onClick={() => {
                  if (env !== current && !control.busy) setAsking(env)
                }}
              >
                {ENVIRONMENT_LABEL[env]}
              </button>
            ))}
          </div>
          {(control.busy || progress) && (
            <span className="env-progress" role="status" data-testid="switch-progress">
              <span className="spinner" aria-hidden="true" />
              {progress ?? 'Switching…'}
            </span>
          )}
        </div>
      </div>
      {asking && (
        <ConfirmDialog
          title={`Switch to the ${ENVIRONMENT_LABEL[asking]}?`}
          confirmLabel={`Switch to ${ENVIRONMENT_LABEL[asking]}`}
          onConfirm={() => confirm(asking)}
          onCancel={() => setAsking(null)}
        >
          <p>
            The {lower(current)}&apos;s run stops cleanly and stays in its folder
            {view ? (
              <>
                {' '}
                <code data-testid="current-folder">
                  {view.stateDirs[current] ?? '(not made yet)'}
                </code>
              </>
            ) : null}
            . Nothing is lost: it resumes when you come back to the {ENVIRONMENT_LABEL[current]}.
          </p>
          <p>
            The {ENVIRONMENT_LABEL[asking]} then starts from its own folder
            {view?.stateDirs[asking] ? (
              <>
                {' '}
                <code>{view.stateDirs[asking]}</code>
              </>
            ) : null}
            .
            {asking === 'sandbox' &&
              ' It talks to your real Stark sandbox project with the saved key.'}
          </p>
        </ConfirmDialog>
      )}
    </>
  )
}
