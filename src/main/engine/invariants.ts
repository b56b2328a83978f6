/**
 * The run's promises, checked against Stark's own records rather than only ours: every credited
 * invoice of the run has exactly one successful transfer of amount − fee, and the run issued exactly
 * the planned batches of the planned sizes.
 */
import type { StarkClient, TransferRecord } from '../stark/client'
import { batchTag, invoiceTag, runTag } from './tags'
import type { Projection } from './projection'
import { plannedKey } from './scheduler'

export interface InvariantReport {
  ok: boolean
  problems: string[]
  checked: { invoices: number; credited: number; transfers: number }
}

export async function checkInvariants(
  projection: Projection,
  stark: StarkClient
): Promise<InvariantReport> {
  const problems: string[] = []
  const run = projection.run
  if (!run)
    return {
      ok: false,
      problems: ['no run was started'],
      checked: { invoices: 0, credited: 0, transfers: 0 }
    }

  const invoices = await stark.invoicesByTag(runTag(run.runId))
  const transfers = await stark.transfersByTag(runTag(run.runId))
  const planned = run.stopped
    ? [...projection.batches.keys()].filter((k) => k.startsWith('b')).length
    : run.plan.batches
  for (let k = 0; k < planned; k++) {
    const tag = batchTag(run.runId, plannedKey(k))
    const count = invoices.filter((i) => i.tags.includes(tag)).length
    if (count !== run.sizes[k])
      problems.push(
        `batch ${plannedKey(k)} has ${count} invoices at Stark; the plan says ${run.sizes[k]}`
      )
  }

  const byInvoice = new Map<string, TransferRecord[]>()
  for (const transfer of transfers) {
    const tag = transfer.tags.find((t) => t.startsWith('ssim-inv-'))
    if (!tag) continue
    const list = byInvoice.get(tag) ?? []
    list.push(transfer)
    byInvoice.set(tag, list)
  }
  let credited = 0
  for (const invoice of invoices) {
    if (invoice.status !== 'paid') continue
    const credit = await stark.creditedInvoice(invoice.id)
    const sent = byInvoice.get(invoiceTag(invoice.id)) ?? []
    byInvoice.delete(invoiceTag(invoice.id))
    if (!credit) {
      if (sent.length > 0)
        problems.push(
          `invoice ${invoice.id} is paid but not credited, yet has ${sent.length} transfer(s)`
        )
      continue
    }
    credited++
    const net = credit.amount - credit.fee
    const successes = sent.filter((t) => t.status === 'success')
    if (net <= 0) {
      if (sent.length > 0)
        problems.push(`invoice ${invoice.id} nets ${net} cents but has ${sent.length} transfer(s)`)
      continue
    }
    if (successes.length !== 1) {
      problems.push(
        `invoice ${invoice.id} (credited ${credit.amount} − fee ${credit.fee}) has ${successes.length} successful transfers; expected exactly 1`
      )
    } else if (successes[0]?.amount !== net) {
      problems.push(
        `invoice ${invoice.id}: transfer of ${successes[0]?.amount} cents; expected ${net}`
      )
    }
    // A second transfer still on its way would become a second payment: as wrong as one that landed.
    const live = sent.filter((t) => t.status !== 'failed' && t.status !== 'canceled')
    if (live.length > 1) {
      problems.push(
        `invoice ${invoice.id} has ${live.length} transfers that are not failed or canceled; expected 1`
      )
    }
  }
  for (const [tag, list] of byInvoice)
    problems.push(
      `${list.length} transfer(s) tagged ${tag} belong to no credited invoice of the run`
    )
  return {
    ok: problems.length === 0,
    problems,
    checked: { invoices: invoices.length, credited, transfers: transfers.length }
  }
}
