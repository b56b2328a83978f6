/** Builds the plain, serializable picture of the engine's state (types in src/shared/snapshot). */
import type { SimulatorSnapshot, Totals } from '../../shared/snapshot'
import type { Projection } from './projection'
import { transferOutcome } from './transfer-outcome'

export type { SimulatorSnapshot, Totals }

export function totalsOf(projection: Projection): Totals {
  const t: Totals = {
    invoices: 0,
    paid: 0,
    invoicedAmount: 0,
    credited: 0,
    creditedAmount: 0,
    fees: 0,
    transfersSent: 0,
    transfersSucceeded: 0,
    transferredAmount: 0,
    transfersFailed: 0,
    transfersPending: 0,
    skipped: 0
  }
  const current = projection.currentInvoices()
  for (const invoice of current) {
    t.invoices++
    if (invoice.credit || invoice.lastLog === 'paid' || invoice.lastLog === 'credited') t.paid++
    t.invoicedAmount += invoice.amount
    if (!invoice.credit) continue
    t.credited++
    t.creditedAmount += invoice.credit.amount
    t.fees += invoice.credit.fee
  }
  for (const invoice of current) {
    const transfer = projection.transfers.get(invoice.id)
    if (!transfer) continue
    const outcome = transferOutcome(transfer)
    if (outcome === 'skipped') t.skipped++
    else if (transfer.transferId) t.transfersSent++
    if (outcome === 'succeeded') {
      t.transfersSucceeded++
      t.transferredAmount += transfer.amount
    } else if (outcome === 'pending') t.transfersPending++
    else if (outcome !== 'skipped') t.transfersFailed++
  }
  return t
}

export function snapshotOf(
  projection: Projection,
  webhookUrl: string | undefined,
  now: number,
  rejected: SimulatorSnapshot['rejected']
): SimulatorSnapshot {
  const run = projection.run
  let nextBatchAt: number | null = null
  if (run && !run.stopped && !run.completed) {
    for (let k = 0; k < run.plan.batches; k++) {
      if (!projection.batches.has(`b${k}`)) {
        nextBatchAt = run.startedAt + k * run.plan.intervalMs
        break
      }
    }
  }
  return {
    now,
    webhookUrl,
    run: run
      ? {
          ...run,
          batchesIssued: [...projection.batches.values()].filter(
            (b) => b.key.startsWith('b') && b.issued
          ).length,
          nextBatchAt
        }
      : null,
    batches: [...projection.batches.values()].map((b) => ({ ...b })),
    invoices: projection.currentInvoices().map((i) => {
      const transfer = projection.transfers.get(i.id)
      return { ...i, transfer: transfer ? { ...transfer } : null }
    }),
    totals: totalsOf(projection),
    rejected
  }
}
