/**
 * The saved key as Stark needs it: the project id (or a way to give it once Stark showed it), the
 * fingerprint, the public key to paste into the web console with the steps, and Delete key.
 */
import { useState } from 'react'
import type { CredentialsView } from '../../../../shared/environment'
import { CopyBlock } from '../../components/CopyBlock'
import { ActionButton } from '../../components/ActionButton'
import { ConfirmDialog } from '../../components/ConfirmDialog'
import { useApp } from '../../store/context'

export const STARK_SANDBOX_CONSOLE = 'https://sandbox.web.starkbank.com'

export function SavedKey({
  credentials,
  projectId,
  invalid
}: {
  credentials: CredentialsView
  /** The Project id field's value, trimmed. */
  projectId: string
  invalid: boolean
}): React.JSX.Element {
  const setProject = useApp((s) => s.setProject)
  const deleteKey = useApp((s) => s.deleteKey)
  const [confirming, setConfirming] = useState(false)

  return (
    <div className="subsection saved-key" data-testid="saved-key">
      <h3>Saved key</h3>
      <dl className="key-facts">
        <div>
          <dt>Project id</dt>
          <dd data-testid="saved-project-id">
            {credentials.projectId ?? <span className="muted">not given yet</span>}
          </dd>
        </div>
        <div>
          <dt>Fingerprint</dt>
          <dd className="mono" data-testid="fingerprint">
            {credentials.fingerprint}
          </dd>
        </div>
      </dl>
      <ActionButton
        control="keys:set-project"
        label="Save project id"
        variant={credentials.projectId ? 'secondary' : 'primary'}
        disabled={projectId === '' || invalid}
        hint={
          credentials.projectId
            ? undefined
            : 'Type the project id Stark showed in the field above, then save it.'
        }
        onPress={() => setProject(projectId).then(() => undefined)}
      />
      <CopyBlock
        text={credentials.publicKeyPem}
        label="Public key"
        buttonLabel="Copy public key"
        className="public-key"
        testId="public-key"
      />
      <ol className="register-steps">
        <li>
          Open the Stark sandbox web console (
          <a href={STARK_SANDBOX_CONSOLE} target="_blank" rel="noreferrer">
            {STARK_SANDBOX_CONSOLE}
          </a>
          ) and sign in.
        </li>
        <li>Menu Integrations, create a project (or edit one) and paste this public key.</li>
        <li>Copy the project id Stark shows and save it here.</li>
        <li>Press Sandbox above, then Test connection.</li>
      </ol>
      <div className="row">
        <ActionButton
          control="keys:delete"
          label="Delete key"
          variant="danger"
          onPress={() => setConfirming(true)}
        />
      </div>
      {confirming && (
        <ConfirmDialog
          title="Delete the saved key?"
          confirmLabel="Yes, delete it"
          variant="danger"
          initialFocus="cancel"
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false)
            void deleteKey()
          }}
        >
          <p>
            The engine forgets the private key (fingerprint{' '}
            <span className="mono">{credentials.fingerprint}</span>). The project at Stark keeps its
            public key: to use this project again you need this key&apos;s file, or a new key
            registered there.
          </p>
        </ConfirmDialog>
      )}
    </div>
  )
}
