/**
 * The run's promises, checked against Stark's own records rather than only ours: every credited
 * invoice of the run has exactly one successful transfer of amount − fee, and the run issued exactly
 * the planned batches of the planned sizes.
 */
import type { CreditedLog, StarkClient, TransferRecord } from '../stark/client'
import { judgeCredit } from './credit-check'
import { isLiveAtStark } from './transfer-outcome'
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
  // A stopped run owes the batches it went through with; an intent cut off by the stop (never
  // sent, and not found at Stark) owes nothing.
  const planned = Array.from({ length: run.plan.batches }, (_, k) => k).filter((k) => {
    const batch = projection.batches.get(plannedKey(k))
    return !run.stopped || Boolean(batch && (batch.issued || batch.refused))
  })
  for (const k of planned) {
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
  const paid = invoices.filter((i) => i.status === 'paid').map((i) => i.id)
  const logsOf = new Map<string, CreditedLog[]>()
  for (const log of await stark.creditedLogs({ invoiceIds: paid }))
    logsOf.set(log.invoice.id, [...(logsOf.get(log.invoice.id) ?? []), log])
  let credited = 0
  for (const invoice of invoices) {
    if (invoice.status !== 'paid') continue
    // The same rule the outbox applied before sending (credit-check.ts).
    const verdict = judgeCredit(logsOf.get(invoice.id) ?? [], invoice)
    const sent = byInvoice.get(invoiceTag(invoice.id)) ?? []
    byInvoice.delete(invoiceTag(invoice.id))
    if (verdict.kind !== 'credited') {
      if (verdict.kind === 'refused')
        problems.push(
          `invoice ${invoice.id}: Stark's credit cannot be paid out as it stands (${verdict.reason}); check it in Stark's console`
        )
      if (sent.length > 0)
        problems.push(
          `invoice ${invoice.id} has no credit that can be paid out, yet has ${sent.length} transfer(s)`
        )
      continue
    }
    credited++
    const { amount, fee } = verdict.credit
    const net = amount - fee
    const successes = sent.filter((t) => t.status === 'success')
    if (net <= 0) {
      if (sent.length > 0)
        problems.push(`invoice ${invoice.id} nets ${net} cents but has ${sent.length} transfer(s)`)
      continue
    }
    if (successes.length !== 1) {
      problems.push(
        `invoice ${invoice.id} (credited ${amount} − fee ${fee}) has ${successes.length} successful transfers; expected exactly 1`
      )
    } else if (successes[0]?.amount !== net) {
      problems.push(
        `invoice ${invoice.id}: transfer of ${successes[0]?.amount} cents; expected ${net}`
      )
    }
    // A second transfer still on its way would become a second payment: as wrong as one that landed.
    const live = sent.filter((t) => isLiveAtStark(t.status))
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
