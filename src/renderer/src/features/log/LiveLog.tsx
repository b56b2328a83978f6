/**
 * Every journal entry, oldest at the top and newest at the bottom. Only the rows in view are in
 * the DOM (@tanstack/react-virtual), so 100,000 entries scroll and filter smoothly. The view
 * follows the tail until the user scrolls up; "Jump to latest" follows it again. Keyboard: the
 * rows form one tab stop; arrows, Home and End move; Enter or Space opens the entry's chain.
 */
import { useVirtualizer } from '@tanstack/react-virtual'
import { useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react'
import { FilteredView } from '../../store/journal-buffer'
import { useApp } from '../../store/context'
import { invoiceIdOf } from './entry-links'
import { LogFilters } from './LogFilters'
import { LogRow, ROW_HEIGHT } from './LogRow'

export function LiveLog(): React.JSX.Element {
  const journal = useApp((s) => s.journal)
  const version = useApp((s) => s.journalVersion)
  const filter = useApp((s) => s.filter)
  const followTail = useApp((s) => s.followTail)
  const setFollowTail = useApp((s) => s.setFollowTail)
  const select = useApp((s) => s.select)
  const selection = useApp((s) => s.selection)
  const snapshot = useApp((s) => s.snapshot)
  const view = useMemo(() => new FilteredView(journal), [journal])
  // `version` is the buffer's change counter: a new value means new entries to test.
  const indexes = useMemo(() => view.indexesFor(filter), [view, filter, version]) // eslint-disable-line react-hooks/exhaustive-deps
  const scrollRef = useRef<HTMLDivElement>(null)
  const rowRefs = useRef(new Map<number, HTMLDivElement>())
  const [active, setActive] = useState<number | null>(null)
  const count = indexes.length
  const activeRow = active === null || active >= count ? count - 1 : active

  // The React Compiler is not in this build, so its "cannot memoize" warning does not apply.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12
  })

  useLayoutEffect(() => {
    const el = scrollRef.current
    if (followTail && el) el.scrollTop = el.scrollHeight
  }, [followTail, count])

  const onScroll = (): void => {
    const el = scrollRef.current
    if (!el) return
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < ROW_HEIGHT
    setFollowTail(atBottom)
  }

  const open = (row: number): void => {
    const entry = journal.entries[indexes[row]!]
    if (!entry) return
    const invoiceId = invoiceIdOf(entry, snapshot)
    select(invoiceId ? { invoiceId, seq: entry.seq } : { invoiceId: null, seq: entry.seq })
  }

  const focusRow = (row: number): void => {
    const target = Math.max(0, Math.min(count - 1, row))
    setActive(target)
    if (target < count - 1) setFollowTail(false)
    virtualizer.scrollToIndex(target, { align: 'auto' })
    requestAnimationFrame(() => rowRefs.current.get(target)?.focus())
  }

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 300) / ROW_HEIGHT) - 1)
    const moves: Record<string, number> = {
      ArrowDown: activeRow + 1,
      ArrowUp: activeRow - 1,
      PageDown: activeRow + page,
      PageUp: activeRow - page,
      Home: 0,
      End: count - 1
    }
    if (e.key in moves) {
      e.preventDefault()
      focusRow(moves[e.key]!)
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault()
      open(activeRow)
    }
  }

  const selectedSeq = selection?.seq ?? null
  return (
    <div className="panel log-panel">
      <LogFilters shown={count} total={journal.entries.length} />
      <div className="log-wrap">
        <div
          ref={scrollRef}
          className="log-scroll"
          role="log"
          aria-label="Live log"
          // Announcing a thousand lines a second helps no one; the rows are read on focus instead.
          aria-live="off"
          onScroll={onScroll}
          onKeyDown={onKeyDown}
        >
          {count === 0 && (
            <p className="empty">
              {journal.entries.length === 0
                ? 'Nothing yet: start a run.'
                : 'No entry matches the filter.'}
            </p>
          )}
          <div className="log-inner" style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((item) => {
              const entry = journal.entries[indexes[item.index]!]!
              return (
                <LogRow
                  key={entry.seq}
                  ref={(el) => {
                    if (el) rowRefs.current.set(item.index, el)
                    else rowRefs.current.delete(item.index)
                  }}
                  entry={entry}
                  kind={journal.kinds[indexes[item.index]!]!}
                  top={item.start}
                  tabbable={item.index === activeRow}
                  selected={entry.seq === selectedSeq}
                  onOpen={() => {
                    setActive(item.index)
                    open(item.index)
                  }}
                />
              )
            })}
          </div>
        </div>
        {!followTail && (
          <button
            type="button"
            className="btn btn-primary jump"
            onClick={() => setFollowTail(true)}
          >
            Jump to latest
          </button>
        )}
      </div>
    </div>
  )
}
