/** The outcome of a control, shown where the user acted: an error with what to do, or a confirmation. */
import { useControl } from '../store/context'

export function ControlMessage({
  control,
  hint,
  errorsOnly = false,
  className = ''
}: {
  control: string
  hint?: string
  /** Leave out the confirmation (it no longer holds, such as "started" once the run ended). */
  errorsOnly?: boolean
  className?: string
}): React.JSX.Element | null {
  const { error, done } = useControl(control)
  if (error) {
    return (
      <p
        className={`control-msg control-error ${className}`.trim()}
        role="alert"
        data-error-for={control}
      >
        {error}
      </p>
    )
  }
  if (done && !errorsOnly) {
    return (
      <p className={`control-msg control-done ${className}`.trim()} role="status">
        {done}
      </p>
    )
  }
  if (hint) return <p className="control-msg control-hint">{hint}</p>
  return null
}
