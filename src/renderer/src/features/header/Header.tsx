/**
 * The top bar a presenter's audience reads first: which Stark this is (a badge whose words, not
 * only its colour, say Emulator or Sandbox), whether the engine and its webhook server run, and
 * Stark's clock.
 */
import { APP_NAME } from '../../../../shared/app-info'
import { useApp } from '../../store/context'
import { useStarkNow } from '../../store/stark-clock'
import { formatSpeed, formatStarkTime } from '../../lib/format'
import { ExportButton } from './ExportButton'
import { ThemePicker } from './ThemePicker'

const PHASE_TEXT = {
  idle: 'Idle',
  starting: 'Starting',
  running: 'Running',
  stopping: 'Stopping',
  stopped: 'Stopped',
  failed: 'Failed'
} as const

export function Header(): React.JSX.Element {
  const status = useApp((s) => s.status)
  const connection = useApp((s) => s.connection)
  const info = useApp((s) => s.info)
  const now = useStarkNow(1000)
  const env = status?.environment

  return (
    <header className="app-header">
      <div className="brand">
        <h1>{APP_NAME}</h1>
        {info && <span className="version">v{info.version}</span>}
      </div>
      {env && (
        <span className={`env-badge env-${env}`} data-testid="environment">
          <span className="env-dot" aria-hidden="true" />
          {env === 'emulator' ? 'Emulator' : 'Sandbox'}
        </span>
      )}
      <dl className="header-facts">
        <div>
          <dt>Engine</dt>
          <dd data-testid="runtime-phase" className={`phase phase-${status?.phase ?? 'none'}`}>
            {status
              ? PHASE_TEXT[status.phase]
              : connection.state === 'lost'
                ? 'Unreachable'
                : 'Connecting'}
          </dd>
        </div>
        <div>
          <dt>Webhook</dt>
          <dd data-testid="webhook-state">
            {status ? (status.webhook.listening ? 'Listening' : 'Not listening') : '—'}
            {status && status.webhook.rejected > 0 && (
              <span className="muted"> · {status.webhook.rejected} rejected</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Stark time</dt>
          <dd data-testid="stark-time" className="mono">
            {now ? formatStarkTime(now.stark) : '—'}
          </dd>
        </div>
        <div>
          <dt>Speed</dt>
          <dd data-testid="speed" className="mono">
            {now ? formatSpeed(now.clock.speed) : '—'}
          </dd>
        </div>
      </dl>
      <div className="header-tools">
        <ExportButton />
        <ThemePicker />
      </div>
      {status?.phase === 'failed' && status.error && (
        <p className="banner banner-error" role="alert">
          {status.error.message}
        </p>
      )}
      {connection.state === 'lost' && (
        <p className="banner banner-error" role="alert">
          {connection.message}
        </p>
      )}
    </header>
  )
}
