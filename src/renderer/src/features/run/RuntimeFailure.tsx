/**
 * The engine failed to start (or stopped on an error): what went wrong and what to do, at the top of
 * the stage (the sidebar may be scrolled to another panel), with Try again (the same environment,
 * started afresh).
 */
import { ActionButton } from '../../components/ActionButton'
import { useApp } from '../../store/context'

export function RuntimeFailure(): React.JSX.Element | null {
  const status = useApp((s) => s.status)
  const lost = useApp((s) => s.connection.state === 'lost')
  const switchEnvironment = useApp((s) => s.switchEnvironment)
  if (lost || !status || status.phase !== 'failed' || !status.error) return null
  const environment = status.environment
  return (
    <div className="banner banner-error runtime-failure" data-testid="runtime-failure">
      <p role="alert">{status.error.message}</p>
      <ActionButton
        control="environment:retry"
        label="Try again"
        variant="primary"
        onPress={async () => {
          await switchEnvironment({ environment }, 'environment:retry')
        }}
      />
    </div>
  )
}
