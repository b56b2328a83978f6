/** One line of the live log: Stark time, kind, and the same sentence the CLI prints. */
import { memo, type Ref } from 'react'
import type { EntryKind } from '../../../../shared/contract'
import { describeEntry } from '../../../../shared/describe'
import type { JournalEntry } from '../../../../shared/journal'
import { formatClock } from '../../lib/format'

export const ROW_HEIGHT = 30

interface Props {
  ref: Ref<HTMLDivElement>
  entry: JournalEntry
  kind: EntryKind
  top: number
  tabbable: boolean
  selected: boolean
  onOpen: () => void
}

export const LogRow = memo(function LogRow({
  ref,
  entry,
  kind,
  top,
  tabbable,
  selected,
  onOpen
}: Props) {
  return (
    <div
      ref={ref}
      role="button"
      tabIndex={tabbable ? 0 : -1}
      aria-pressed={selected}
      className={`log-row kind-${kind}${selected ? ' selected' : ''}`}
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }}
      data-seq={entry.seq}
      data-kind={kind}
      onClick={onOpen}
    >
      <span className="log-time">{formatClock(entry.at)}</span>
      <span className="log-kind">{entry.type}</span>
      <span className="log-text">{describeEntry(entry)}</span>
    </div>
  )
})
