/**
 * The top bar a presenter's audience reads first: which Stark this is (a badge whose words, not
 * only its colour, say Emulator or Sandbox), whether the engine and its webhook server run, and
 * Stark's clock. The Environment control sits next to the badge; a failed start is said in the run
 * panel, where Try again is.
 */
import { APP_NAME } from '../../../../shared/app-info'
import { useApp } from '../../store/context'
import { useStarkNow } from '../../store/stark-clock'
import { formatSpeed, formatStarkTime } from '../../lib/format'
import { ControlMessage } from '../../components/ControlMessage'
import { EnvironmentSwitch } from '../environment/EnvironmentSwitch'
import { ExportButton } from './ExportButton'
import { ThemePicker } from './ThemePicker'
import { STATE_TEXT } from '../public-url/public-url-labels'

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
  // Lost beats the last status: what the engine said before it went away is no longer true.
  const lost = connection.state === 'lost'
  const live = lost ? null : status

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
          {env === 'sandbox' && status?.target.projectId && (
            <>
              {' '}
              <span className="env-project">project {status.target.projectId}</span>
            </>
          )}
        </span>
      )}
      <EnvironmentSwitch />
      <dl className="header-facts">
        <div>
          <dt>Engine</dt>
          <dd
            data-testid="runtime-phase"
            className={`phase phase-${lost ? 'lost' : (status?.phase ?? 'none')}`}
          >
            {lost ? 'Unreachable' : status ? PHASE_TEXT[status.phase] : 'Connecting'}
          </dd>
        </div>
        <div>
          <dt>Webhook</dt>
          <dd data-testid="webhook-state">
            {live ? (live.webhook.listening ? 'Listening' : 'Not listening') : '—'}
            {live && live.webhook.rejected > 0 && (
              <span className="muted"> · {live.webhook.rejected} rejected</span>
            )}
          </dd>
        </div>
        {live?.publicUrl && (
          <div>
            <dt>Public URL</dt>
            <dd data-testid="header-public-url">
              <span className={`state-chip state-${live.publicUrl.state}`}>
                {STATE_TEXT[live.publicUrl.state]}
              </span>
            </dd>
          </div>
        )}
        <div>
          <dt>Stark time</dt>
          <dd data-testid="stark-time" className="mono">
            {now && !lost ? formatStarkTime(now.stark) : '—'}
          </dd>
        </div>
        <div>
          <dt>Speed</dt>
          <dd data-testid="speed" className="mono">
            {now && !lost ? formatSpeed(now.clock.speed) : '—'}
          </dd>
        </div>
      </dl>
      <div className="header-tools">
        <ExportButton />
        <ThemePicker />
      </div>
      <ControlMessage control="environment:switch" errorsOnly className="header-note env-note" />
      <ControlMessage control="run:export" className="header-note" />
      {lost && (
        <div className="banner banner-error banner-lost" role="alert">
          <strong>The engine is unreachable.</strong> {connection.message}
          {!connection.refused && (
            <>
              {' '}
              Restart the engine (the desktop app, or <code>npm run headless -- --ui</code>); this
              page reconnects by itself.
            </>
          )}
        </div>
      )}
    </header>
  )
}
