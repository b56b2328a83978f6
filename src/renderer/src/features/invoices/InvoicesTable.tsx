/** One row per invoice of the run, newest first: payer, amount, its status chain and its transfer. */
import { formatBRL } from '../../../../shared/money'
import { useApp } from '../../store/context'
import { stepsOf, type Step } from './invoice-status'

const MARK: Record<Step, string> = { done: '✓', now: '…', todo: '·', bad: '✕' }

function StepCell({ step, label }: { step: Step; label: string }): React.JSX.Element {
  return (
    <span className={`step step-${step}`}>
      <span aria-hidden="true">{MARK[step]}</span> {label}
    </span>
  )
}

export function InvoicesTable(): React.JSX.Element {
  const invoices = useApp((s) => s.snapshot?.invoices ?? [])
  const selection = useApp((s) => s.selection)
  const select = useApp((s) => s.select)
  const run = useApp((s) => s.snapshot?.run ?? null)
  const rows = [...invoices].reverse()
  // An invoice's run is over when it ended, or when a newer run replaced it.
  const runOver = (runId: string): boolean =>
    !run || run.runId !== runId || run.stopped || run.completed

  return (
    <div className="panel invoices-panel">
      {rows.length === 0 ? (
        <p className="empty">No invoices in this run yet.</p>
      ) : (
        <div className="table-scroll">
          <table className="invoices">
            <thead>
              <tr>
                <th scope="col">Invoice</th>
                <th scope="col">Batch</th>
                <th scope="col">Payer</th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col">Status</th>
                <th scope="col">Transfer</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((invoice) => {
                const steps = stepsOf(invoice, runOver(invoice.runId))
                const selected = selection?.invoiceId === invoice.id
                return (
                  <tr
                    key={invoice.id}
                    className={selected ? 'selected' : undefined}
                    data-invoice={invoice.id}
                    onClick={() => select({ invoiceId: invoice.id, seq: null })}
                  >
                    <td>
                      <button
                        type="button"
                        className="link mono"
                        aria-pressed={selected}
                        onClick={(e) => {
                          e.stopPropagation()
                          select({ invoiceId: invoice.id, seq: null })
                        }}
                      >
                        {invoice.id}
                      </button>
                    </td>
                    <td className="mono">{invoice.batch}</td>
                    <td className="payer">{invoice.name}</td>
                    <td className="num">{formatBRL(invoice.amount)}</td>
                    <td className="steps">
                      <StepCell step={steps.issued} label="issued" />
                      <StepCell step={steps.paid} label="paid" />
                      <StepCell step={steps.credited} label="credited" />
                    </td>
                    <td>
                      <StepCell step={steps.transfer.step} label={steps.transfer.text} />
                      {invoice.transfer && !invoice.transfer.skipped && (
                        <span className="muted"> {formatBRL(invoice.transfer.amount)}</span>
                      )}
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  )
}
