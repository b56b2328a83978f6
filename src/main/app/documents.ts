/**
 * Stark's documents (an invoice's Pix QR code, the invoice, invoice-log and transfer PDFs) through
 * the SDK's own routes, so the emulator and the real sandbox serve them alike. Temporary home:
 * the Stark client port gains these calls (`invoiceQrcode`, `invoicePdf`, `transferPdf`), and this
 * file then only forwards to it.
 */
import type { StarkSdk } from '../stark/sdk'
import type { DocumentSource } from './ports'

type ContentCall = (id: string, options?: Record<string, unknown>) => Promise<unknown>

const bytes = (content: unknown): Uint8Array => {
  if (content instanceof Uint8Array) return content
  if (typeof content === 'string') return Buffer.from(content, 'binary')
  throw new Error('Stark answered a document request with something that is not a file')
}

export function sdkDocuments(sdk: StarkSdk): DocumentSource {
  const invoice = sdk.invoice as unknown as { qrcode: ContentCall; pdf: ContentCall }
  const invoiceLog = sdk.invoice.log as unknown as { pdf: ContentCall }
  const transfer = sdk.transfer as unknown as { pdf: ContentCall }
  return {
    invoiceQrcode: async (invoiceId, size) =>
      bytes(await invoice.qrcode(invoiceId, size === undefined ? {} : { size })),
    async pdf(kind, id) {
      if (kind === 'invoice') return bytes(await invoice.pdf(id))
      if (kind === 'invoice-log') return bytes(await invoiceLog.pdf(id))
      return bytes(await transfer.pdf(id))
    }
  }
}
