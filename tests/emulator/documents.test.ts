/**
 * The documents the emulator serves as Stark does, read through the real SDK and the app's Stark
 * port: the invoice's QR code (decoded back to its BR Code), the invoice PDF, the reversal receipt
 * (an invoice log PDF) and the transfer receipt, each parsed and checked for its ids and amounts.
 */
import type { Invoice, Transfer } from 'starkbank'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { formatBRL } from '../../src/shared/money'
import { collectAll, sdkClient, type StarkClient } from '../../src/main/stark/client'
import { decodeQrPng, readPdf, squash } from '../helpers/documents'
import { controlJson } from '../helpers/raw-client'
import { starkErrors, startSdkEmulator, type SdkEmulator } from '../helpers/sdk-emulator'
import { DEFAULT_DESTINATION } from '../../src/shared/plan'

let env: SdkEmulator
let stark: StarkClient

beforeEach(async () => {
  env = await startSdkEmulator({
    behaviour: { autoPayRatio: 0, creditDelaySeconds: [5, 5] }
  })
  stark = sdkClient(env.sdk)
})
afterEach(() => env.stop())

type RawGet = { get(path: string, query: object): Promise<{ status: number; content: unknown }> }

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

async function newInvoice(amount: number, name = 'Fernanda Ribeiro Costa'): Promise<Invoice> {
  const [invoice] = await env.sdk.invoice.create([
    { amount, name, taxId: '594.739.480-42', tags: ['demo'] } as unknown as Invoice
  ])
  return invoice!
}

/** Pays the invoice now and lets the sandbox credit it (balance goes up by amount - fee). */
async function payAndCredit(id: string): Promise<void> {
  const paid = await controlJson(env.emulator.url, 'POST', `/_emulator/invoices/${id}/pay`)
  expect(paid.status).toBe(200)
  await env.emulator.clock.advance(5_000)
}

describe('invoice QR code', () => {
  it("When the QR code is fetched through the port, Then it is a PNG that decodes to the invoice's brcode", async () => {
    const invoice = await newInvoice(12_345)
    const png = await stark.invoiceQrcode(invoice.id)
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true)
    const decoded = decodeQrPng(png)
    expect(decoded.text).toBe(invoice.brcode)
    expect(decoded.text).toBe((await env.sdk.invoice.get(invoice.id)).brcode)

    // size is pixels per box: the same code drawn at 3 is 3/7 of the default width.
    const small = decodeQrPng(await stark.invoiceQrcode(invoice.id, 3))
    expect(small.text).toBe(invoice.brcode)
    expect(small.width * 7).toBe(decoded.width * 3)
  })

  it('When size is outside 1..50 or the id is unknown, Then 400 with a Stark error code', async () => {
    const invoice = await newInvoice(500)
    expect(await starkErrors(() => env.sdk.invoice.qrcode(invoice.id, { size: 51 }))).toEqual({
      status: 400,
      codes: ['invalidSize']
    })
    expect(await starkErrors(() => stark.invoiceQrcode('1234567890123456'))).toEqual({
      status: 400,
      codes: ['invalidInvoice']
    })
  })
})

describe('invoice PDF', () => {
  it('When the invoice PDF is fetched through the port, Then it parses and holds the id, amount, payer, BR Code and QR code', async () => {
    const invoice = await newInvoice(12_345)
    const pdf = await stark.invoicePdf(invoice.id)
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-')
    const read = await readPdf(pdf)
    expect(read.pages).toBe(1)
    expect(read.title).toBe(`Fatura Pix ${invoice.id}`)
    const text = squash(read.text)
    expect(text).toContain(invoice.id)
    expect(text).toContain(squash(formatBRL(12_345)))
    expect(text).toContain('Fernanda Ribeiro Costa')
    expect(text).toContain('594.739.480-42')
    expect(text).toContain('Em aberto (created)')
    // The BR Code is printed for "Pix Copia e Cola", wrapped over several lines.
    expect(read.text.replace(/\s/g, '')).toContain(invoice.brcode.replace(/\s/g, ''))
    // The QR image is embedded as an image XObject.
    expect(pdf.includes('/Subtype /Image')).toBe(true)
  })

  it('When the invoice PDF is asked with starkbank.request.get, Then the same route answers', async () => {
    const invoice = await newInvoice(777)
    // `request` exists at run time but is missing from the SDK's index typings.
    const raw = (env.sdk as unknown as { request: RawGet }).request
    const response = await raw.get(`invoice/${invoice.id}/pdf`, {})
    expect(response.status).toBe(200)
    expect(String(response.content).startsWith('%PDF-')).toBe(true)
  })

  it('When the invoice id is unknown, Then 400 invalidInvoice through the SDK', async () => {
    expect(await starkErrors(() => stark.invoicePdf('1234567890123456'))).toEqual({
      status: 400,
      codes: ['invalidInvoice']
    })
  })
})

describe('reversal receipt (invoice log PDF)', () => {
  it('When a credited invoice is reversed, Then its reversed log has a receipt with the ids and the amount given back', async () => {
    const invoice = await newInvoice(3_000, 'Gustavo Almeida Pereira')
    await payAndCredit(invoice.id)
    await env.sdk.invoice.update(invoice.id, { amount: 1_000 })
    const logs = await collectAll<{ id: string; type: string }>(
      env.sdk.invoice.log.query({ invoiceIds: [invoice.id] })
    )
    const reversed = logs.find((log) => log.type === 'reversed')!
    const pdf = await stark.invoiceLogPdf(reversed.id)
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-')
    const text = squash((await readPdf(pdf)).text)
    expect(text).toContain(reversed.id)
    expect(text).toContain(invoice.id)
    expect(text).toContain(squash(formatBRL(2_000)))
    expect(text).toContain('Gustavo Almeida Pereira')
    // The money goes back to whoever paid.
    expect(text).toContain((await env.sdk.invoice.payment(invoice.id)).taxId)

    // Stark has a PDF for reversed logs only.
    const created = logs.find((log) => log.type === 'created')!
    expect(await starkErrors(() => stark.invoiceLogPdf(created.id))).toEqual({
      status: 400,
      codes: ['invalidInvoiceLog']
    })
    expect(await starkErrors(() => stark.invoiceLogPdf('1234567890123456'))).toEqual({
      status: 400,
      codes: ['invalidInvoiceLog']
    })
  })
})

describe('transfer receipt', () => {
  it('When a transfer is processing or done, Then its receipt holds the id, amount and receiver; before that 400', async () => {
    const invoice = await newInvoice(10_000)
    await payAndCredit(invoice.id)
    const credited = await env.sdk.invoice.get(invoice.id)
    const [transfer] = await env.sdk.transfer.create([
      {
        amount: credited.amount - credited.fee,
        ...DEFAULT_DESTINATION,
        externalId: `transfer-${invoice.id}`
      } as unknown as Transfer
    ])
    const id = transfer!.id
    expect(await starkErrors(() => stark.transferPdf(id))).toEqual({
      status: 400,
      codes: ['invalidTransfer']
    })

    await env.emulator.clock.advance(60_000)
    expect((await env.sdk.transfer.get(id)).status).toBe('success')
    const pdf = await stark.transferPdf(id)
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-')
    const read = await readPdf(pdf)
    const text = squash(read.text)
    expect(read.title).toBe(`Comprovante de transferência ${id}`)
    expect(text).toContain(id)
    expect(text).toContain(squash(formatBRL(credited.amount - credited.fee)))
    expect(text).toContain('Stark Bank S.A.')
    expect(text).toContain('20.018.183/0001-80')
    expect(text).toContain('Concluída (success)')

    expect(await starkErrors(() => stark.transferPdf('1234567890123456'))).toEqual({
      status: 400,
      codes: ['invalidTransfer']
    })
  })
})
