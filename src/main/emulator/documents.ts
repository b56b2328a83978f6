/**
 * The documents Stark serves as bytes, on the SDK's own routes (starkcore `rest.getContent`, read as
 * raw bytes whatever the content type): `invoice.qrcode` (PNG), `invoice.pdf`, `invoice.log.pdf`
 * (the receipt of a reversal) and `transfer.pdf` (a receipt). Unknown ids and records that have no
 * such document answer 400 with Stark's envelope, which the SDK turns into InputErrors (a 404 would
 * also map there for these routes, but Stark answers its other unknown ids with 400).
 */
import { QR_SIZE, brcodePng } from './brcode-image'
import type { EmulatorCore } from './core'
import type { DocumentContext } from './document-pdfs'
import { StarkError } from './errors'
import { BinaryBody } from './http-io'
import type { Router } from './router'

const PNG = 'image/png'
const PDF = 'application/pdf'

/**
 * The PDF code (pdfkit) is loaded on the first PDF asked for: it is most of the emulator's module
 * load time, and most starts (every CLI run) never serve a PDF.
 */
const pdfs = (): Promise<typeof import('./document-pdfs')> => import('./document-pdfs')

/** Statuses whose transfer has a receipt (the SDK's docstring for transfer.pdf). */
const RECEIPT_STATUSES = new Set(['processing', 'success'])

function qrSize(query: URLSearchParams): number {
  const raw = query.get('size')
  if (raw === null || raw === '') return QR_SIZE.default
  const size = Number(raw)
  if (!Number.isInteger(size) || size < QR_SIZE.min || size > QR_SIZE.max) {
    throw StarkError.of(
      'invalidSize',
      `size must be an integer from ${QR_SIZE.min} to ${QR_SIZE.max} (pixels per QR code box), got ${raw}`
    )
  }
  return size
}

export function registerDocumentRoutes(api: Router, core: EmulatorCore): void {
  const context = (): DocumentContext => ({ now: core.now(), workspaceId: core.state.workspaceId })

  const invoiceOf = (id: string) => {
    const invoice = core.state.invoices[id]
    if (!invoice) throw StarkError.of('invalidInvoice', `Invoice ${id} not found`)
    return invoice
  }

  api.add('GET', '/v2/invoice/:id/qrcode', async (req) => {
    const invoice = invoiceOf(req.params.id as string)
    const size = qrSize(req.query)
    return new BinaryBody(PNG, await brcodePng(invoice.brcode, size))
  })

  api.add('GET', '/v2/invoice/:id/pdf', async (req) => {
    const invoice = structuredClone(invoiceOf(req.params.id as string))
    const ctx = context()
    return new BinaryBody(PDF, await (await pdfs()).invoicePdf(invoice, ctx))
  })

  api.add('GET', '/v2/invoice/log/:id/pdf', async (req) => {
    const id = req.params.id as string
    const log = core.state.invoiceLogs[id]
    if (!log) throw StarkError.of('invalidInvoiceLog', `Invoice log ${id} not found`)
    if (log.type !== 'reversed') {
      throw StarkError.of(
        'invalidInvoiceLog',
        `Invoice log ${id} is of type ${log.type}; only reversed logs have a PDF (the reversal receipt)`
      )
    }
    const copy = structuredClone(log)
    const payment = structuredClone(core.state.invoicePayments[log.invoice.id])
    const ctx = context()
    return new BinaryBody(PDF, await (await pdfs()).reversalReceiptPdf(copy, payment, ctx))
  })

  api.add('GET', '/v2/transfer/:id/pdf', async (req) => {
    const id = req.params.id as string
    const transfer = core.state.transfers[id]
    if (!transfer) throw StarkError.of('invalidTransfer', `Transfer ${id} not found`)
    if (!RECEIPT_STATUSES.has(transfer.status)) {
      throw StarkError.of(
        'invalidTransfer',
        `Transfer ${id} is ${transfer.status}; its receipt exists once it is processing or success`
      )
    }
    const copy = structuredClone(transfer)
    const ctx = context()
    return new BinaryBody(PDF, await (await pdfs()).transferReceiptPdf(copy, ctx))
  })
}
