/** Live log or Invoices: a tab list (arrow keys move between tabs, as the ARIA pattern asks). */
import { useRef, type KeyboardEvent } from 'react'
import { useApp } from '../store/context'
import type { Tab } from '../store/types'

const TABS: { id: Tab; label: string }[] = [
  { id: 'log', label: 'Live log' },
  { id: 'invoices', label: 'Invoices' }
]

export function Tabs(): React.JSX.Element {
  const tab = useApp((s) => s.tab)
  const setTab = useApp((s) => s.setTab)
  const count = useApp((s) => s.snapshot?.invoices.length ?? 0)
  const refs = useRef(new Map<Tab, HTMLButtonElement>())

  const onKeyDown = (e: KeyboardEvent): void => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return
    e.preventDefault()
    const i = TABS.findIndex((t) => t.id === tab)
    const next = TABS[(i + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length]!
    setTab(next.id)
    refs.current.get(next.id)?.focus()
  }

  return (
    <div className="tabs" role="tablist" aria-label="Views" onKeyDown={onKeyDown}>
      {TABS.map((t) => (
        <button
          key={t.id}
          ref={(el) => {
            if (el) refs.current.set(t.id, el)
          }}
          id={`tab-${t.id}`}
          type="button"
          role="tab"
          aria-selected={tab === t.id}
          aria-controls={`panel-${t.id}`}
          tabIndex={tab === t.id ? 0 : -1}
          className="tab"
          onClick={() => setTab(t.id)}
        >
          {t.label}
          {t.id === 'invoices' && count > 0 && <span className="tab-count"> {count}</span>}
        </button>
      ))}
    </div>
  )
}
