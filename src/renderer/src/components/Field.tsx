/** A labelled text input with its own error line (the label is its accessible name). */
import { useId } from 'react'

interface Props {
  label: string
  value: string
  onChange: (value: string) => void
  error?: string
  placeholder?: string
  inputMode?: 'numeric' | 'decimal' | 'text'
  suffix?: string
  prefix?: string
  width?: 'narrow' | 'wide'
  disabled?: boolean
}

export function Field({
  label,
  value,
  onChange,
  error,
  placeholder,
  inputMode = 'text',
  suffix,
  prefix,
  width = 'narrow',
  disabled = false
}: Props): React.JSX.Element {
  const id = useId()
  return (
    <div className={`field field-${width}`}>
      <label htmlFor={id}>{label}</label>
      <div className="field-input">
        {prefix && (
          <span className="affix" aria-hidden="true">
            {prefix}
          </span>
        )}
        <input
          id={id}
          value={value}
          inputMode={inputMode}
          placeholder={placeholder}
          disabled={disabled}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          onChange={(e) => onChange(e.target.value)}
        />
        {suffix && (
          <span className="affix" aria-hidden="true">
            {suffix}
          </span>
        )}
      </div>
      {error && (
        <p id={`${id}-error`} className="control-msg control-error" role="alert">
          {error}
        </p>
      )}
    </div>
  )
}
