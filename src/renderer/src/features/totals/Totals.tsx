/** The run's money at a glance, in reais (pt-BR), with how many invoices or transfers each covers. */
import { formatBRL } from '../../../../shared/money'
import { useApp } from '../../store/context'
import { moneyTotals, type MoneyTotals } from './money-totals'

const TILES: { key: keyof MoneyTotals; label: string; unit: string; tone?: string }[] = [
  { key: 'invoiced', label: 'Invoiced', unit: 'invoices' },
  { key: 'paid', label: 'Paid', unit: 'invoices' },
  { key: 'credited', label: 'Credited', unit: 'invoices' },
  { key: 'fees', label: 'Fees', unit: 'credits' },
  { key: 'transferred', label: 'Transferred', unit: 'transfers', tone: 'good' },
  { key: 'pending', label: 'Pending', unit: 'transfers', tone: 'wait' },
  { key: 'failed', label: 'Failed', unit: 'transfers', tone: 'bad' }
]

export function Totals(): React.JSX.Element {
  const snapshot = useApp((s) => s.snapshot)
  const totals = moneyTotals(snapshot)
  return (
    <section className="totals" aria-label="Totals">
      {TILES.map(({ key, label, unit, tone }) => {
        const { cents, count } = totals[key]
        const quiet = tone && count === 0 ? ' tile-quiet' : ''
        return (
          <div
            key={key}
            className={`tile${tone ? ` tile-${tone}` : ''}${quiet}`}
            data-testid={`total-${key}`}
          >
            <span className="tile-label">{label}</span>
            <span className="tile-value" data-cents={cents} title={formatBRL(cents)}>
              {formatBRL(cents)}
            </span>
            <span className="tile-count">
              {count} {unit}
            </span>
          </div>
        )
      })}
    </section>
  )
}
