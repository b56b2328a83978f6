/**
 * The chain of whatever was selected (a log line or an invoice row), beside the log. It takes focus
 * when it opens, Escape or Close shuts it, and focus goes back where the user was.
 */
import { useEffect, useRef } from 'react'
import { useApp } from '../../store/context'
import { EntryDetail } from './EntryDetail'
import { InvoiceDetail } from './InvoiceDetail'

export function DetailPane(): React.JSX.Element | null {
  const selection = useApp((s) => s.selection)
  const select = useApp((s) => s.select)
  const headingRef = useRef<HTMLHeadingElement>(null)
  const returnTo = useRef<HTMLElement | null>(null)
  const key = selection ? `${selection.invoiceId ?? ''}:${selection.seq ?? ''}` : null

  useEffect(() => {
    if (!key) return
    if (!returnTo.current && document.activeElement instanceof HTMLElement) {
      returnTo.current = document.activeElement
    }
    headingRef.current?.focus()
  }, [key])

  useEffect(() => {
    if (!selection) return
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') close()
    }
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  })

  function close(): void {
    select(null)
    const back = returnTo.current
    returnTo.current = null
    if (back?.isConnected) back.focus()
  }

  if (!selection) return null
  const title =
    selection.invoiceId !== null ? `Invoice ${selection.invoiceId}` : `Entry #${selection.seq}`
  return (
    <aside className="detail" aria-labelledby="detail-title">
      <header className="detail-head">
        <h2 id="detail-title" ref={headingRef} tabIndex={-1}>
          {title}
        </h2>
        <button type="button" className="btn btn-quiet" onClick={close}>
          Close
        </button>
      </header>
      <div className="detail-body">
        {selection.invoiceId !== null ? (
          <InvoiceDetail invoiceId={selection.invoiceId} highlightSeq={selection.seq} />
        ) : (
          <EntryDetail seq={selection.seq} />
        )}
      </div>
    </aside>
  )
}
