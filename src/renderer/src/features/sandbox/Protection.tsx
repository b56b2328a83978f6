/** How this engine keeps the private key, and the user's consent where the OS offers no protection. */
import type { KeyProtectionView } from '../../../../shared/environment'

export function Protection({
  protection,
  allowUnprotected,
  onAllowUnprotected
}: {
  protection: KeyProtectionView
  allowUnprotected: boolean
  onAllowUnprotected: (allow: boolean) => void
}): React.JSX.Element {
  if (protection.backend === 'memory')
    return (
      <p className="key-protection" data-protection="memory">
        Kept in memory only: forgotten when the engine stops.
      </p>
    )
  if (!protection.available)
    return (
      <p className="key-protection control-error" data-protection="unavailable" role="alert">
        {protection.reason ?? 'This computer offers no way to keep the key.'}
      </p>
    )
  if (protection.protected)
    return (
      <p className="key-protection" data-protection="protected">
        Kept encrypted by the system&apos;s secret store ({protection.backend}).
      </p>
    )
  return (
    <div className="key-protection" data-protection="unprotected">
      <p className="control-msg key-warning">{protection.reason}</p>
      <label className="toggle">
        <input
          type="checkbox"
          checked={allowUnprotected}
          onChange={(e) => onAllowUnprotected(e.target.checked)}
        />
        <span className="toggle-text">Store without OS protection</span>
      </label>
    </div>
  )
}
