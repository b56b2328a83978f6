/**
 * The totals row, in integer cents: what the engine's own totals give (the same numbers the CLI's
 * summary prints), plus the amounts it only counts (paid, pending, failed), summed from the
 * snapshot's invoices with the engine's definitions.
 */
import type { SimulatorSnapshot } from '../../../../shared/snapshot'

export interface MoneyTotals {
  invoiced: { cents: number; count: number }
  paid: { cents: number; count: number }
  credited: { cents: number; count: number }
  fees: { cents: number; count: number }
  transferred: { cents: number; count: number }
  pending: { cents: number; count: number }
  failed: { cents: number; count: number }
}

export function moneyTotals(snapshot: SimulatorSnapshot | null): MoneyTotals {
  const t = snapshot?.totals
  const runId = snapshot?.run?.runId
  let paid = 0
  let pending = 0
  let failed = 0
  for (const invoice of snapshot?.invoices ?? []) {
    if (runId && invoice.runId !== runId) continue
    if (invoice.credit || invoice.lastLog === 'paid' || invoice.lastLog === 'credited')
      paid += invoice.amount
    const transfer = invoice.transfer
    if (!transfer || transfer.skipped || transfer.status === 'success') continue
    if (transfer.status === 'failed' || transfer.lastError?.outcome === 'rejected')
      failed += transfer.amount
    else pending += transfer.amount
  }
  return {
    invoiced: { cents: t?.invoicedAmount ?? 0, count: t?.invoices ?? 0 },
    paid: { cents: paid, count: t?.paid ?? 0 },
    credited: { cents: t?.creditedAmount ?? 0, count: t?.credited ?? 0 },
    fees: { cents: t?.fees ?? 0, count: t?.credited ?? 0 },
    transferred: { cents: t?.transferredAmount ?? 0, count: t?.transfersSucceeded ?? 0 },
    pending: { cents: pending, count: t?.transfersPending ?? 0 },
    failed: { cents: failed, count: t?.transfersFailed ?? 0 }
  }
}
