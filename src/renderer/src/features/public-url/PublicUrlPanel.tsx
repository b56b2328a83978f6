/**
 * The Public webhook URL panel: how Stark's webhooks reach this computer (off, a localtunnel tunnel
 * this engine opens and heals, or the user's own URL), applied by restarting the engine with it,
 * and the live state of that URL from the status pushes.
 */
import { useId, useState } from 'react'
import type { PublicUrlChoice } from '../../../../shared/environment'
import { isWebUrl } from '../../../../shared/web-url'
import { ActionButton } from '../../components/ActionButton'
import { ConfirmDialog } from '../../components/ConfirmDialog'
import { Field } from '../../components/Field'
import { Panel } from '../../components/Panel'
import { useApp } from '../../store/context'
import { PublicUrlState } from './PublicUrlState'

type Mode = PublicUrlChoice['mode']

const MODES: { mode: Mode; label: string }[] = [
  { mode: 'off', label: 'Off' },
  { mode: 'localtunnel', label: 'localtunnel' },
  { mode: 'public-url', label: 'My own URL' }
]

export function PublicUrlPanel(): React.JSX.Element {
  const choice = useApp((s) => s.environmentView?.publicUrl ?? null)
  // The form starts from the host's choice, and again whenever that choice changes.
  return <PublicUrlForm key={JSON.stringify(choice)} choice={choice} />
}

function PublicUrlForm({ choice }: { choice: PublicUrlChoice | null }): React.JSX.Element {
  const environment = useApp((s) => s.status?.environment ?? 'emulator')
  const runActive = useApp((s) => {
    const run = s.snapshot?.run
    return Boolean(run && !run.stopped && !run.completed)
  })
  const switchEnvironment = useApp((s) => s.switchEnvironment)
  const [mode, setMode] = useState<Mode>(choice?.mode ?? 'off')
  const [host, setHost] = useState(choice?.mode === 'localtunnel' ? (choice.host ?? '') : '')
  const [url, setUrl] = useState(choice?.mode === 'public-url' ? choice.url : '')
  const [error, setError] = useState<string | undefined>()
  const [confirming, setConfirming] = useState<PublicUrlChoice | null>(null)
  const name = useId()

  const chosen = (): PublicUrlChoice | null => {
    if (mode === 'off') return { mode: 'off' }
    if (mode === 'localtunnel') {
      const h = host.trim()
      if (h && !isWebUrl(h)) {
        setError('Type the tunnel server as a URL, e.g. https://localtunnel.me, or leave it empty.')
        return null
      }
      return h ? { mode, host: h } : { mode }
    }
    const u = url.trim()
    // Stark delivers webhooks only to https.
    if (!isWebUrl(u) || !u.startsWith('https://')) {
      setError('Type the public URL that reaches this computer, starting with https://.')
      return null
    }
    return { mode, url: u }
  }

  const apply = async (publicUrl: PublicUrlChoice): Promise<void> => {
    await switchEnvironment({ environment, publicUrl }, 'public-url:apply')
  }

  return (
    <Panel title="Public webhook URL" className="public-url-panel">
      <fieldset className="radios">
        <legend className="visually-hidden">How Stark&apos;s webhooks reach this computer</legend>
        {MODES.map((m) => (
          <label key={m.mode} className="toggle">
            <input
              type="radio"
              name={name}
              value={m.mode}
              checked={mode === m.mode}
              onChange={() => {
                setMode(m.mode)
                setError(undefined)
              }}
            />
            <span className="toggle-text">{m.label}</span>
          </label>
        ))}
      </fieldset>
      {mode === 'localtunnel' && (
        <div className="row">
          <Field
            label="Tunnel host"
            value={host}
            onChange={setHost}
            error={error}
            placeholder="https://localtunnel.me"
            width="wide"
          />
        </div>
      )}
      {mode === 'public-url' && (
        <div className="row">
          <Field
            label="Public URL"
            value={url}
            onChange={setUrl}
            error={error}
            placeholder="https://example.ngrok.app"
            width="wide"
          />
        </div>
      )}
      <div className="row">
        <ActionButton
          control="public-url:apply"
          label="Apply"
          onPress={async () => {
            setError(undefined)
            const next = chosen()
            if (!next) return
            if (runActive) setConfirming(next)
            else await apply(next)
          }}
        />
      </div>
      <PublicUrlState />
      {confirming && (
        <ConfirmDialog
          title="Restart the engine with this public URL?"
          confirmLabel="Apply and restart"
          onCancel={() => setConfirming(null)}
          onConfirm={() => {
            const next = confirming
            setConfirming(null)
            void apply(next)
          }}
        >
          <p>
            The run stops cleanly and resumes at once in the same folder, with Stark&apos;s webhooks
            taking the new way in. Nothing is lost: events sent meanwhile are caught up.
          </p>
        </ConfirmDialog>
      )}
    </Panel>
  )
}
