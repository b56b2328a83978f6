/**
 * Checks a finished run against the emulator's own records, independently of the engine: a fresh
 * project key registered through the control API and the real SDK (never the engine's client or
 * journal). Every credited invoice of the run has exactly one transfer, successful, of amount − fee;
 * every planned batch tag holds exactly its planned number of invoices.
 */
import { generateKeyPair } from '../../src/main/stark/keys'
import { connectStark } from '../../src/main/stark/sdk'

interface Invoice {
  id: string
  amount: number
  fee: number
  tags: string[]
  status: string
}

interface Transfer {
  id: string
  amount: number
  status: string
  externalId: string
  tags: string[]
}

export interface RunAudit {
  problems: string[]
  invoices: number
  credited: number
  transfers: number
  transferredAmount: number
}

/** The SDK's query() resolves to an async generator (its typings say an array). */
async function all<T>(query: unknown): Promise<T[]> {
  const items: T[] = []
  for await (const item of (await query) as AsyncIterable<T>) items.push(item)
  return items
}

export async function auditRunAtEmulator(
  url: string,
  runId: string,
  sizes: number[]
): Promise<RunAudit> {
  const keys = generateKeyPair()
  const registered = await fetch(`${url}/_emulator/projects`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ publicKey: keys.publicPem })
  })
  const { projectId } = (await registered.json()) as { projectId: string }
  const sdk = connectStark({ kind: 'emulator', url }, { projectId, privateKey: keys.privatePem })

  const runTag = `ssim-${runId}`
  const invoices = await all<Invoice>(sdk.invoice.query({ tags: [runTag] }))
  const transfers = await all<Transfer>(sdk.transfer.query({ tags: [runTag] }))
  const creditLogs = await all<{ invoice: Invoice }>(sdk.invoice.log.query({ types: ['credited'] }))
  const problems: string[] = []

  const planned = sizes.map((_, k) => `${runTag}-b${k}`)
  const total = sizes.reduce((sum, n) => sum + n, 0)
  if (invoices.length !== total)
    problems.push(`${invoices.length} invoices carry ${runTag}; the plan issues ${total}`)
  planned.forEach((tag, k) => {
    const count = invoices.filter((i) => i.tags.includes(tag)).length
    if (count !== sizes[k])
      problems.push(`${count} invoices carry ${tag}; the plan says ${sizes[k]}`)
  })
  for (const invoice of invoices) {
    const batches = invoice.tags.filter((t) => planned.includes(t))
    if (batches.length !== 1)
      problems.push(`invoice ${invoice.id} has batch tags [${batches.join(', ')}]`)
  }

  const byInvoice = new Map<string, Transfer[]>()
  for (const transfer of transfers) {
    const tag = transfer.tags.find((t) => t.startsWith('ssim-inv-')) ?? '(no invoice tag)'
    byInvoice.set(tag, [...(byInvoice.get(tag) ?? []), transfer])
  }
  const credits = new Map(creditLogs.map((log) => [log.invoice.id, log.invoice]))
  let credited = 0
  let transferredAmount = 0
  for (const invoice of invoices) {
    const credit = credits.get(invoice.id)
    const tag = `ssim-inv-${invoice.id}`
    const sent = byInvoice.get(tag) ?? []
    byInvoice.delete(tag)
    if (!credit) {
      if (sent.length > 0)
        problems.push(`invoice ${invoice.id} was never credited yet has ${sent.length} transfer(s)`)
      continue
    }
    credited++
    const net = credit.amount - credit.fee
    if (net <= 0) {
      if (sent.length > 0) problems.push(`invoice ${invoice.id} nets ${net} but has transfers`)
      continue
    }
    const detail = sent.map((t) => `${t.id} ${t.externalId} ${t.amount} ${t.status}`).join('; ')
    if (sent.length !== 1 || sent[0]?.status !== 'success' || sent[0]?.amount !== net) {
      problems.push(
        `invoice ${invoice.id} credited ${credit.amount} − fee ${credit.fee}: expected one successful transfer of ${net}, found [${detail}]`
      )
    } else transferredAmount += net
  }
  for (const [tag, list] of byInvoice)
    problems.push(`${list.length} transfer(s) tagged ${tag} match no invoice of run ${runId}`)
  return {
    problems,
    invoices: invoices.length,
    credited,
    transfers: transfers.length,
    transferredAmount
  }
}
