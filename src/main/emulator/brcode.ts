/**
 * The Pix "BR Code" (EMV QR payload) of an invoice, shaped like the sandbox's 2024 brcodes
 * (shared/stark-api.md §3.1): a dynamic code whose merchant account points at a per-invoice URL, so
 * the amount is fetched from that URL and is not part of the payload.
 */

/** CRC16-CCITT-FALSE (poly 0x1021, init 0xFFFF), as EMV QR codes require, 4 uppercase hex. */
export function crc16(payload: string): string {
  let crc = 0xffff
  for (const byte of Buffer.from(payload, 'utf8')) {
    crc ^= byte << 8
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
    }
  }
  return crc.toString(16).toUpperCase().padStart(4, '0')
}

function field(id: string, value: string): string {
  return id + String(value.length).padStart(2, '0') + value
}

/** Builds the brcode for the invoice whose link/pdf share `uuid` (32 hex). */
export function pixBrcode(uuid: string): string {
  const account =
    field('00', 'br.gov.bcb.pix') + field('25', `brcode-h.sandbox.starkinfra.com/v2/${uuid}`)
  const body =
    field('00', '01') +
    field('01', '12') +
    field('26', account) +
    field('52', '0000') +
    field('53', '986') +
    field('58', 'BR') +
    // EMV caps the merchant name at 25 characters, hence Stark's truncated "Institu".
    field('59', 'Stark Bank S.A. - Institu') +
    field('60', 'Sao Paulo') +
    field('62', field('05', '***')) +
    '6304'
  return body + crc16(body)
}

export const invoiceLink = (uuid: string): string =>
  `https://emulator.sandbox.starkbank.com/invoicelink/${uuid}`

export const invoicePdf = (uuid: string): string =>
  `https://sandbox.api.starkbank.com/v2/invoice/${uuid}.pdf`
