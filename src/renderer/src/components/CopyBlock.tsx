/** Pre-formatted text (a webhook body) with a Copy button that says whether it worked. */
import { useState } from 'react'

export function CopyBlock({ text, label }: { text: string; label: string }): React.JSX.Element {
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
    <div className="copy-block">
      <div className="row">
        <span className="muted">{label}</span>
        <button type="button" className="btn btn-quiet btn-small" onClick={() => void copy()}>
          Copy
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
      <pre tabIndex={0}>{text}</pre>
    </div>
  )
}
