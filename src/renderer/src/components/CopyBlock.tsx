/** Pre-formatted text (a webhook body, a public key) with a Copy button that says whether it worked. */
import { useState } from 'react'

export function CopyBlock({
  text,
  label,
  buttonLabel = 'Copy',
  className = '',
  testId
}: {
  text: string
  label: string
  /** The button's visible label (and so its accessible name). */
  buttonLabel?: string
  className?: string
  testId?: string
}): React.JSX.Element {
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null)
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(text)
      setNote({ ok: true, text: 'Copied' })
    } catch {
      setNote({ ok: false, text: 'Copy failed: select the text and press Ctrl+C (⌘C on a Mac).' })
    }
  }
  return (
    <div className={`copy-block ${className}`.trim()}>
      <div className="row">
        <span className="muted">{label}</span>
        <button type="button" className="btn btn-quiet btn-small" onClick={() => void copy()}>
          {buttonLabel}
        </button>
        {note && (
          <span
            className={note.ok ? 'control-done' : 'control-error'}
            role={note.ok ? 'status' : 'alert'}
          >
            {note.text}
          </span>
        )}
      </div>
      <pre tabIndex={0} aria-label={label} data-testid={testId}>
        {text}
      </pre>
    </div>
  )
}
