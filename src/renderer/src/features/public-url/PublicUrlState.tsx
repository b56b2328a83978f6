/**
 * The public URL as it is now, from the status pushes: a state chip (announced politely when it
 * changes), the URL and its last check while up, the reason and a countdown to the next try while
 * down, any notice, the webhook's registration at Stark, and how many deliveries were refused.
 */
import type { PublicUrlStatus } from '../../../../shared/contract'
import { useApp } from '../../store/context'
import { STATE_TEXT } from './public-url-labels'
import { secondsBetween, useWallNow } from '../../store/wall-clock'


export const OFF_TEXT =
  "Stark's webhooks reach this computer only from the emulator; the sandbox is caught up by polling."

export function PublicUrlState(): React.JSX.Element {
  const publicUrl = useApp((s) => s.status?.publicUrl ?? null)
  const rejected = useApp((s) => s.status?.webhook.rejected ?? 0)
  const now = useWallNow(1000)

  return (
    <div className="public-url-state" data-testid="public-url-status">
      {publicUrl ? (
        <>
          <p className="state-line" aria-live="polite">
            <span
              className={`state-chip state-${publicUrl.state}`}
              data-state={publicUrl.state}
              data-testid="public-url-state"
            >
              {STATE_TEXT[publicUrl.state]}
            </span>{' '}
            <span className="muted">
              {publicUrl.mode === 'localtunnel'
                ? `localtunnel${publicUrl.host ? ` on ${publicUrl.host}` : ''}`
                : 'your own URL'}
            </span>
          </p>
          {publicUrl.state === 'up' && publicUrl.url && (
            <p className="mono public-url" data-testid="public-url">
              {publicUrl.url}
            </p>
          )}
          {publicUrl.lastCheckAt !== null && publicUrl.state === 'up' && (
            <p className="muted" data-testid="last-check">
              last check {secondsBetween(publicUrl.lastCheckAt, now)} s ago
            </p>
          )}
          {publicUrl.state === 'down' && (
            <>
              {publicUrl.url && (
                <p className="muted public-url" data-testid="public-url-last">
                  was {publicUrl.url}
                </p>
              )}
              {publicUrl.reason && (
                <p className="control-msg control-error" data-testid="down-reason">
                  {publicUrl.reason}
                </p>
              )}
              {publicUrl.nextTryAt !== null && (
                <p className="muted" data-testid="next-try">
                  next try in {secondsBetween(now, publicUrl.nextTryAt)} s
                </p>
              )}
            </>
          )}
          {publicUrl.notice && (
            <p className="control-msg key-warning" data-testid="public-url-notice">
              {publicUrl.notice}
            </p>
          )}
          {publicUrl.webhook && <WebhookLine webhook={publicUrl.webhook} />}
        </>
      ) : (
        <p className="muted" data-testid="public-url-off">
          {OFF_TEXT}
        </p>
      )}
      <p data-testid="refused-count">
        Refused deliveries: <strong>{rejected}</strong>
      </p>
    </div>
  )
}

function WebhookLine({
  webhook
}: {
  webhook: NonNullable<PublicUrlStatus['webhook']>
}): React.JSX.Element {
  return (
    <p
      className={`control-msg${webhook.state === 'failed' ? ' control-error' : ''}`}
      data-testid="webhook-registration"
      data-state={webhook.state}
    >
      Webhook at Stark: {webhook.state}
      {webhook.state === 'failed' && webhook.reason ? `: ${webhook.reason}` : ''}
      {webhook.state === 'registered' && webhook.url && (
        <span className="mono muted"> · {webhook.url}</span>
      )}
    </p>
  )
}
