/**
 * The baseline: the same entries, the same filter and the same row text, rendered as a plain list
 * (every matching row in the DOM), to show what virtualization buys.
 */
import { useMemo } from 'react'
import { describeEntry } from '../../../src/shared/describe'
import { useApp } from '../../../src/renderer/src/store/context'

export function PlainLog(): React.JSX.Element {
  const journal = useApp((s) => s.journal)
  const version = useApp((s) => s.journalVersion)
  const filter = useApp((s) => s.filter)
  const indexes = useMemo(() => journal.filter(filter), [journal, filter, version])
  return (
    <div
      className="log-scroll"
      role="log"
      aria-label="Plain log"
      style={{ flex: 1, overflowY: 'auto' }}
    >
      {indexes.map((i) => {
        const e = journal.entries[i]!
        return (
          <div
            key={e.seq}
            className="log-row plain-row"
            data-seq={e.seq}
            style={{ position: 'static', height: 30 }}
          >
            <span className="log-kind">{e.type}</span>
            <span className="log-text">{describeEntry(e)}</span>
          </div>
        )
      })}
    </div>
  )
}
