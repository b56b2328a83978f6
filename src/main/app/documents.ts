/**
 * Stark's documents (an invoice's Pix QR code, the invoice, invoice-log and transfer PDFs) as the
 * handlers ask for them, from the connected Stark's client: the SDK's own routes, so the embedded
 * emulator and the real sandbox serve them alike.
 */
import type { StarkDocuments } from '../runtime/runtime'
import type { DocumentSource } from './ports'

export function starkDocuments(stark: StarkDocuments): DocumentSource {
  return {
    invoiceQrcode: (invoiceId, size) => stark.invoiceQrcode(invoiceId, size),
    pdf(kind, id) {
      if (kind === 'invoice') return stark.invoicePdf(id)
      if (kind === 'invoice-log') return stark.invoiceLogPdf(id)
      return stark.transferPdf(id)
    }
  }
}
