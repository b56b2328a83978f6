/** Kind chips (toggle buttons; none pressed shows every kind) and a text filter over ids, names, amounts. */
import { useId } from 'react'
import { ENTRY_KINDS } from '../../../../shared/contract'
import { useApp } from '../../store/context'
import { KIND_LABELS } from './kind-labels'

export function LogFilters({ shown, total }: { shown: number; total: number }): React.JSX.Element {
  const filter = useApp((s) => s.filter)
  const toggleKind = useApp((s) => s.toggleKind)
  const setFilterText = useApp((s) => s.setFilterText)
  const clearFilter = useApp((s) => s.clearFilter)
  const id = useId()
  const filtered = filter.kinds.length > 0 || filter.text.trim() !== ''

  return (
    <div className="log-filters">
      <div className="chips" role="group" aria-label="Kinds">
        {ENTRY_KINDS.map((kind) => (
          <button
            key={kind}
            type="button"
            className={`chip chip-${kind}`}
            aria-pressed={filter.kinds.includes(kind)}
            onClick={() => toggleKind(kind)}
          >
            {KIND_LABELS[kind]}
          </button>
        ))}
      </div>
      <div className="filter-text">
        <label htmlFor={id}>Filter</label>
        <input
          id={id}
          type="search"
          value={filter.text}
          placeholder="id, name or amount"
          onChange={(e) => setFilterText(e.target.value)}
        />
        {filtered && (
          <button type="button" className="btn btn-quiet" onClick={clearFilter}>
            Clear filter
          </button>
        )}
      </div>
      <p className="log-count" data-testid="log-count">
        {filtered
          ? `${shown.toLocaleString('en')} of ${total.toLocaleString('en')} entries`
          : `${total.toLocaleString('en')} entries`}
      </p>
    </div>
  )
}
