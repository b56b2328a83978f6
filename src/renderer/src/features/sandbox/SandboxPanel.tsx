/**
 * The Sandbox panel: how the key is kept here, the project id and private key (loaded from a file,
 * pasted or generated), what Stark needs from us (the public key and the steps to register it), and
 * Test connection. The private key goes to the host once and is never kept in the window.
 */
import { useEffect, useRef, useState } from 'react'
import { Field } from '../../components/Field'
import { Panel } from '../../components/Panel'
import { useApp } from '../../store/context'
import { ConnectionTest } from './ConnectionTest'
import { KeySource } from './KeySource'
import { projectIdError } from './project-id'
import { Protection } from './Protection'
import { SavedKey } from './SavedKey'

export function SandboxPanel(): React.JSX.Element {
  const keys = useApp((s) => s.keys)
  const request = useApp((s) => s.sandboxRequest)
  const loadEnvironment = useApp((s) => s.loadEnvironment)
  const [projectId, setProjectId] = useState('')
  const [allowUnprotected, setAllowUnprotected] = useState(false)
  const ref = useRef<HTMLDivElement>(null)

  useEffect(() => {
    if (!keys) void loadEnvironment()
    // Once: the session reloads it after a switch, and every key operation returns the new view.
  }, []) // eslint-disable-line react-hooks/exhaustive-deps

  // A switch refused for lack of a key brings the user here, to the first thing to fill in.
  useEffect(() => {
    if (request === 0 || !ref.current) return
    ref.current.scrollIntoView?.({ block: 'nearest' })
    // Disabled controls cannot take the focus (no keyring): the panel itself takes it then.
    const first = ref.current.querySelector<HTMLElement>(
      'input:not([type="hidden"]):not(:disabled), button:not(:disabled)'
    )
    ;(first ?? ref.current).focus()
  }, [request])

  const usable = keys?.protection.available ?? false
  const error = projectIdError(projectId)
  const credentials = keys?.credentials ?? null
  const input = {
    ...(projectId.trim() ? { projectId: projectId.trim() } : {}),
    ...(allowUnprotected ? { allowUnprotected: true } : {})
  }

  return (
    <div ref={ref} tabIndex={-1} className="panel-anchor" data-testid="sandbox-panel">
      <Panel title="Sandbox" className="sandbox-panel">
        {keys ? (
          <Protection
            protection={keys.protection}
            allowUnprotected={allowUnprotected}
            onAllowUnprotected={setAllowUnprotected}
          />
        ) : (
          <p className="muted">Asking the engine how it keeps keys…</p>
        )}
        <div className="row">
          <Field
            label="Project id"
            value={projectId}
            onChange={setProjectId}
            error={error}
            inputMode="numeric"
            placeholder={credentials?.projectId ?? 'digits, from Stark'}
            disabled={!usable}
            width="wide"
          />
        </div>
        {credentials && (
          <SavedKey credentials={credentials} projectId={projectId.trim()} invalid={!!error} />
        )}
        <KeySource replacing={credentials !== null} disabled={!usable || !!error} input={input} />
        <ConnectionTest />
      </Panel>
    </div>
  )
}
