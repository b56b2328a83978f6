/** Test connection: balance, Stark's public key and the webhook list, or the first failure in words. */
import { ActionButton } from '../../components/ActionButton'
import { useApp } from '../../store/context'
import { connectedLine } from '../../store/environment-actions'

const STEP_TEXT = {
  balance: 'the balance',
  'public-key': "Stark's public key",
  webhooks: 'the webhook list'
} as const

export function ConnectionTest(): React.JSX.Element {
  const environment = useApp((s) => s.status?.environment)
  const report = useApp((s) => s.connectionReport)
  const testConnection = useApp((s) => s.testConnection)
  return (
    <div className="subsection connection-test">
      <ActionButton control="connection:test" label="Test connection" onPress={testConnection} />
      {environment === 'emulator' && !report && (
        <p className="control-msg control-hint">In the Emulator this tests the emulator.</p>
      )}
      {report?.ok && (
        <div role="status" data-testid="connection-report" className="control-done">
          <p className="control-msg">{connectedLine(report)}</p>
          {report.webhooks.length > 0 && (
            <ul className="webhook-list">
              {report.webhooks.map((w) => (
                <li key={w.id} className="mono">
                  {w.url}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {report && !report.ok && (
        <p className="control-msg control-error" role="alert" data-testid="connection-report">
          Failed at {STEP_TEXT[report.step]}: {report.message}
        </p>
      )}
    </div>
  )
}
