/**
 * A button that runs one host operation: it shows progress while the operation runs (aria-busy,
 * a spinner, repeated clicks ignored) and its outcome right next to it. It stays focusable while
 * busy (aria-disabled, not disabled), so keyboard users do not lose their place.
 */
import type { ReactNode } from 'react'
import { useControl } from '../store/context'
import { ControlMessage } from './ControlMessage'

interface Props {
  control: string
  label: string
  onPress: () => void | Promise<void>
  variant?: 'primary' | 'secondary' | 'danger' | 'quiet'
  disabled?: boolean
  /** Shown under the button when it cannot be used, so nothing is unexplained. */
  hint?: string
  icon?: ReactNode
  /** Keep the message out of the flow (compact toolbars show it as a floating note). */
  compact?: boolean
  /** Says why the button cannot be used, as its tooltip (where a hint line has no room). */
  title?: string
  /** `none` leaves the outcome to a <ControlMessage> the caller places where it fits better. */
  message?: 'below' | 'none'
}

export function ActionButton({
  control,
  label,
  onPress,
  variant = 'secondary',
  disabled = false,
  hint,
  icon,
  compact = false,
  title,
  message = 'below'
}: Props): React.JSX.Element {
  const { busy } = useControl(control)
  const inactive = busy || disabled
  return (
    <div className={`action${compact ? ' action-compact' : ''}`}>
      <button
        type="button"
        className={`btn btn-${variant}`}
        aria-busy={busy}
        aria-disabled={inactive}
        data-control={control}
        title={title}
        onClick={() => {
          if (!inactive) void onPress()
        }}
      >
        {icon}
        {label}
        {busy && <span className="spinner" aria-hidden="true" />}
      </button>
      {message !== 'none' && (
        <ControlMessage control={control} hint={disabled && !busy ? hint : undefined} />
      )}
    </div>
  )
}
