/**
 * The invoice's transfer to Stark Bank S.A.: amount, Stark's id, every step and status it went
 * through, and Retry when Stark refused or failed it (a lost answer is retried by the engine itself).
 */
import { describeEntry } from '../../../../shared/describe'
import type { JournalEntry } from '../../../../shared/journal'
import { formatBRL } from '../../../../shared/money'
import type { TransferState } from '../../../../shared/snapshot'
import { ActionButton } from '../../components/ActionButton'
import { formatClock } from '../../lib/format'
import { useApp } from '../../store/context'
import { transferText } from '../invoices/invoice-status'

export function TransferSection({
  invoiceId,
  transfer,
  entries,
  highlightSeq
}: {
  invoiceId: string
  transfer: TransferState | null
  entries: JournalEntry[]
  highlightSeq: number | null
}): React.JSX.Element {
  const retryTransfer = useApp((s) => s.retryTransfer)
  const openDocument = useApp((s) => s.openDocument)
  const steps = entries.filter((e) => e.type.startsWith('transfer.'))
  const state = transferText(transfer)
  const retryable = transfer && !transfer.skipped && state.step === 'bad'

  return (
    <section className="detail-section" aria-labelledby="transfer-title">
      <h3 id="transfer-title">Transfer</h3>
      {!transfer ? (
        <p className="muted">
          No transfer yet: one is sent when Stark reports the invoice credited.
        </p>
      ) : (
        <>
          <p>
            <span className={`step step-${state.step}`} data-testid="transfer-status">
              {state.text}
            </span>{' '}
            {!transfer.skipped && (
              <>
                {formatBRL(transfer.amount)} to Stark Bank S.A. · attempt {transfer.attempt}
                {transfer.transferId && <span className="mono"> · {transfer.transferId}</span>}
              </>
            )}
          </p>
          {transfer.lastError && (
            <p className="control-msg control-error">{transfer.lastError.message}</p>
          )}
          <div className="row">
            {retryable && (
              <ActionButton
                control={`transfer:retry:${invoiceId}`}
                label="Retry transfer"
                variant="primary"
                onPress={() => retryTransfer(invoiceId)}
              />
            )}
            {transfer.transferId && (
              <ActionButton
                control={`document:open:transfer:${transfer.transferId}`}
                label="Open transfer PDF"
                onPress={() => openDocument('transfer', transfer.transferId!)}
              />
            )}
          </div>
        </>
      )}
      {steps.length > 0 && (
        <ol className="transfer-steps">
          {steps.map((e) => (
            <li key={e.seq} className={e.seq === highlightSeq ? 'highlight' : undefined}>
              <span className="mono muted">{formatClock(e.at)}</span> {describeEntry(e)}
            </li>
          ))}
        </ol>
      )}
    </section>
  )
}
