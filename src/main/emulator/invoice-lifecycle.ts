/**
 * What the sandbox does to an invoice on its own: pay it (most of them, after a few minutes), credit
 * the money a little later, and mark it overdue at its due and expired at due + expiration. Each step
 * writes an invoice log, which becomes an event for the webhooks (shared/stark-api.md §3.1, §5).
 */
import { randomCpf } from '../stark/tax-id'
import { postLedger } from './account'
import type { EmulatorCore } from './core'
import { StarkError } from './errors'
import type { Invoice, InvoiceLog, InvoiceLogType, InvoicePayment } from './types'

const DAY_MS = 86_400_000

const PAYER_NAMES = [
  'Ana Beatriz Souza',
  'Bruno Carvalho Lima',
  'Camila Ferreira Alves',
  'Diego Martins Rocha',
  'Fernanda Ribeiro Costa',
  'Gustavo Almeida Pereira',
  'Juliana Gomes Barbosa',
  'Rafael Oliveira Santos'
]

/** ISPBs of banks that commonly pay Pix charges (Banco do Brasil, Itaú, Bradesco, Caixa, ...). */
const PAYER_BANKS = [
  '00000000',
  '60701190',
  '60746948',
  '00360305',
  '90400888',
  '18236120',
  '20018183'
]

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789'

export const isPayable = (invoice: Invoice): boolean =>
  invoice.status === 'created' || invoice.status === 'overdue'

/**
 * Stores a log holding a snapshot of the invoice as it is now, and emits it as an event. Every
 * change of an invoice ends here, so this is also where the invoice's change is recorded.
 */
export function writeInvoiceLog(
  core: EmulatorCore,
  invoice: Invoice,
  type: InvoiceLogType
): InvoiceLog {
  core.changed('invoices', invoice.id)
  const log: InvoiceLog = {
    id: core.newId(),
    created: core.iso(),
    type,
    errors: [],
    invoice: structuredClone(invoice)
  }
  core.put('invoiceLogs', log.id, log)
  core.emit('invoice', log)
  return log
}

const uniformMs = (core: EmulatorCore, [min, max]: readonly [number, number]): number =>
  Math.round((min + core.rng.next() * (max - min)) * 1000)

/** Schedules a new invoice's future: maybe a payment, and always overdue and expiry. */
export function scheduleNewInvoice(core: EmulatorCore, invoice: Invoice): void {
  if (core.rng.chance(core.config.autoPayRatio)) {
    const at = core.now() + uniformMs(core, core.config.payDelaySeconds)
    core.schedule({ kind: 'invoice.pay', at, invoiceId: invoice.id })
  }
  scheduleDeadlines(core, invoice)
}

/** (Re)schedules overdue and expiry after a create or a change of due or expiration. */
export function scheduleDeadlines(core: EmulatorCore, invoice: Invoice): void {
  core.cancelJobs(`invoice:${invoice.id}`, ['invoice.overdue', 'invoice.expire'])
  const due = Date.parse(invoice.due)
  core.schedule({ kind: 'invoice.overdue', at: due, invoiceId: invoice.id })
  core.schedule({
    kind: 'invoice.expire',
    at: due + invoice.expiration * 1000,
    invoiceId: invoice.id
  })
}

export function cancelPendingJobs(core: EmulatorCore, invoiceId: string): void {
  core.cancelJobs(`invoice:${invoiceId}`, ['invoice.pay', 'invoice.overdue', 'invoice.expire'])
}

/** `E` + payer ISPB + yyyyMMddHHmm (UTC) + 11 alphanumerics, the Pix end-to-end id format. */
function endToEndId(core: EmulatorCore, ispb: string): string {
  const stamp = new Date(core.now()).toISOString().replace(/\D/g, '').slice(0, 12)
  let tail = ''
  for (let i = 0; i < 11; i++) tail += core.rng.pick([...ALPHANUMERIC])
  return `E${ispb}${stamp}${tail}`
}

/** Discount, fine and interest as they stand at the moment of payment. */
function charges(
  core: EmulatorCore,
  invoice: Invoice
): Pick<Invoice, 'discountAmount' | 'fineAmount' | 'interestAmount'> {
  const now = core.now()
  const nominal = invoice.nominalAmount
  const best = Math.max(
    0,
    ...invoice.discounts.filter((d) => Date.parse(d.due) >= now).map((d) => d.percentage)
  )
  const lateMs = now - Date.parse(invoice.due)
  // Interest is monthly and accrues per started day of delay, as Brazilian late charges do.
  const daysLate = lateMs > 0 ? Math.ceil(lateMs / DAY_MS) : 0
  return {
    discountAmount: Math.round((nominal * best) / 100),
    fineAmount: lateMs > 0 ? Math.round((nominal * invoice.fine) / 100) : 0,
    interestAmount: Math.round((((nominal * invoice.interest) / 100) * daysLate) / 30)
  }
}

/** The payer pays: status `paid`, a `paid` log, the payment record, and the credit scheduled. */
export function payInvoice(core: EmulatorCore, invoice: Invoice): Invoice {
  if (!isPayable(invoice)) {
    throw StarkError.of(
      'invalidInvoice',
      `Invoice ${invoice.id} is ${invoice.status} and cannot be paid`
    )
  }
  cancelPendingJobs(core, invoice.id)
  const { discountAmount, fineAmount, interestAmount } = charges(core, invoice)
  // An amount of 0 lets the payer choose what to pay.
  const base = invoice.nominalAmount > 0 ? invoice.nominalAmount : core.rng.int(100, 100_000)
  Object.assign(invoice, {
    amount: base - discountAmount + fineAmount + interestAmount,
    discountAmount,
    fineAmount,
    interestAmount,
    status: 'paid',
    updated: core.iso()
  })
  const bankCode = core.rng.pick(PAYER_BANKS)
  const payment: InvoicePayment = {
    amount: invoice.amount,
    name: core.rng.pick(PAYER_NAMES),
    taxId: randomCpf(core.rng),
    bankCode,
    branchCode: core.digits(4),
    accountNumber: `${core.digits(7)}-${core.digits(1)}`,
    accountType: core.rng.pick(['checking', 'payment']),
    endToEndId: endToEndId(core, bankCode),
    method: 'pix'
  }
  core.put('invoicePayments', invoice.id, payment)
  writeInvoiceLog(core, invoice, 'paid')
  const at = core.now() + uniformMs(core, core.config.creditDelaySeconds)
  core.schedule({ kind: 'invoice.credit', at, invoiceId: invoice.id })
  return invoice
}

/** The money lands: fee set, ledger transaction, the e2e tag, and the `credited` log. */
export function creditInvoice(core: EmulatorCore, invoice: Invoice): void {
  const payment = core.state.invoicePayments[invoice.id]
  if (invoice.status !== 'paid' || !payment || invoice.transactionIds.length > 0) return
  // The fee cannot exceed what was paid, or a tiny invoice would cost the workspace money.
  const fee = Math.min(core.config.invoiceFee, invoice.amount)
  const transactionId = postLedger(
    core,
    invoice.amount,
    `Invoice ${invoice.id} credited`,
    `invoice:${invoice.id}`
  )
  if (fee > 0) postLedger(core, -fee, `Invoice ${invoice.id} fee`, `invoice:${invoice.id}`)
  invoice.fee = fee
  invoice.transactionIds = [transactionId]
  const tag = payment.endToEndId.toLowerCase()
  if (!invoice.tags.includes(tag)) invoice.tags.push(tag)
  invoice.updated = core.iso()
  writeInvoiceLog(core, invoice, 'credited')
}

export function registerInvoiceJobs(core: EmulatorCore): void {
  const find = (id: string): Invoice | undefined => core.state.invoices[id]
  core.on('invoice.pay', (job) => {
    const invoice = find(job.invoiceId)
    if (invoice && isPayable(invoice)) payInvoice(core, invoice)
  })
  core.on('invoice.credit', (job) => {
    const invoice = find(job.invoiceId)
    if (invoice) creditInvoice(core, invoice)
  })
  core.on('invoice.overdue', (job) => {
    const invoice = find(job.invoiceId)
    // Guards against a job left from an earlier due (e.g. one persisted before an update).
    if (!invoice || invoice.status !== 'created' || core.now() < Date.parse(invoice.due)) return
    invoice.status = 'overdue'
    invoice.updated = core.iso()
    writeInvoiceLog(core, invoice, 'overdue')
  })
  core.on('invoice.expire', (job) => {
    const invoice = find(job.invoiceId)
    if (!invoice || !isPayable(invoice)) return
    cancelPendingJobs(core, invoice.id)
    invoice.status = 'expired'
    invoice.updated = core.iso()
    writeInvoiceLog(core, invoice, 'expired')
  })
}
