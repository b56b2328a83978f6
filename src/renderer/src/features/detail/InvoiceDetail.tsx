/**
 * Everything that happened to one invoice: the invoice (with its Pix QR code and PDF), each Stark
 * event about it (source, signature, our answer, raw body), and its transfer with every status.
 * The chain is fetched from the host (`invoice:chain`) and refreshed as the journal grows.
 */
import { useEffect, useState } from 'react'
import type { JournalEntry } from '../../../../shared/journal'
import { formatBRL } from '../../../../shared/money'
import { ActionButton } from '../../components/ActionButton'
import { ControlMessage } from '../../components/ControlMessage'
import { useThrottled } from '../../components/use-throttled'
import { useApp } from '../../store/context'
import { statusWord, stepsOf } from '../invoices/invoice-status'
import { EventItem } from './EventItem'
import { QrCode } from './QrCode'
import { TransferSection } from './TransferSection'

export function InvoiceDetail({
  invoiceId,
  highlightSeq
}: {
  invoiceId: string
  highlightSeq: number | null
}): React.JSX.Element {
  const invoice = useApp((s) => s.snapshot?.invoices.find((i) => i.id === invoiceId) ?? null)
  const emulator = useApp((s) => s.status?.environment === 'emulator')
  const loadChain = useApp((s) => s.loadChain)
  const payNow = useApp((s) => s.payNow)
  const openDocument = useApp((s) => s.openDocument)
  const version = useThrottled(
    useApp((s) => s.journalVersion),
    700
  )
  const [entries, setEntries] = useState<JournalEntry[] | null>(null)

  useEffect(() => {
    let live = true
    void loadChain(invoiceId).then((chain) => {
      if (live && chain) setEntries(chain.entries)
    })
    return () => {
      live = false
    }
  }, [invoiceId, version, loadChain])

  const events = (entries ?? []).filter(
    (e): e is Extract<JournalEntry, { type: 'event.received' }> => e.type === 'event.received'
  )
  const created = (entries ?? []).find((e) => e.type === 'invoice.created')
  const amount = invoice?.amount ?? (created?.type === 'invoice.created' ? created.amount : null)
  const name = invoice?.name ?? (created?.type === 'invoice.created' ? created.name : null)
  const steps = invoice ? stepsOf(invoice) : null

  return (
    <div className="invoice-detail">
      <section className="detail-section" aria-label="Invoice">
        <div className="invoice-card">
          <div>
            <p className="lead">
              {amount !== null ? formatBRL(amount) : '—'} <span className="muted">to</span>{' '}
              {name ?? '—'}
            </p>
            <p className="muted">
              {invoice
                ? `Batch ${invoice.batch} · status ${statusWord(invoice)}`
                : 'From an earlier run'}
              {invoice?.credit &&
                ` · credited ${formatBRL(invoice.credit.amount)}, fee ${formatBRL(invoice.credit.fee)}`}
            </p>
            <div className="row">
              <ActionButton
                control={`document:open:invoice:${invoiceId}`}
                label="Open PDF"
                onPress={() => openDocument('invoice', invoiceId)}
              />
              {emulator && steps && steps.paid !== 'done' && (
                <ActionButton
                  control={`invoice:pay-now:${invoiceId}`}
                  label="Pay this invoice now"
                  variant="primary"
                  onPress={() => payNow(invoiceId)}
                />
              )}
            </div>
          </div>
          <QrCode key={invoiceId} invoiceId={invoiceId} />
        </div>
      </section>

      <section className="detail-section" aria-labelledby="events-title">
        <h3 id="events-title">Events ({events.length})</h3>
        <ControlMessage control={`invoice:chain:${invoiceId}`} />
        {entries === null ? (
          <p className="muted">Loading the chain…</p>
        ) : events.length === 0 ? (
          <p className="muted">No event from Stark yet.</p>
        ) : (
          <ol className="events">
            {events.map((e) => (
              <EventItem key={e.seq} entry={e} highlight={e.seq === highlightSeq} />
            ))}
          </ol>
        )}
      </section>

      <TransferSection
        invoiceId={invoiceId}
        transfer={invoice?.transfer ?? null}
        entries={entries ?? []}
        highlightSeq={highlightSeq}
      />
    </div>
  )
}
