/** The outcome of a control, shown where the user acted: an error with what to do, or a confirmation. */
import { useControl } from '../store/context'

export function ControlMessage({
  control,
  hint
}: {
  control: string
  hint?: string
}): React.JSX.Element | null {
  const { error, done } = useControl(control)
  if (error) {
    return (
      <p className="control-msg control-error" role="alert" data-error-for={control}>
        {error}
      </p>
    )
  }
  if (done) {
    return (
      <p className="control-msg control-done" role="status">
        {done}
      </p>
    )
  }
  if (hint) return <p className="control-msg control-hint">{hint}</p>
  return null
}
