/**
 * Reading back what the emulator serves as bytes: the QR code in a PNG (pngjs + jsQR, a decoder
 * independent of the encoder) and the text of a PDF (Mozilla's pdf.js, the parser browsers use).
 */
import jsQR from 'jsqr'
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs'
import { PNG } from 'pngjs'

export interface DecodedQr {
  width: number
  height: number
  text: string | undefined
}

export function decodeQrPng(png: Buffer): DecodedQr {
  const image = PNG.sync.read(png)
  const code = jsQR(new Uint8ClampedArray(image.data), image.width, image.height)
  return { width: image.width, height: image.height, text: code?.data }
}

export interface PdfText {
  pages: number
  /** Every text item of every page, in order, joined by spaces. */
  text: string
  title: string | undefined
}

/** Parses `pdf` and extracts its text; throws when it is not a PDF pdf.js can read. */
export async function readPdf(pdf: Buffer): Promise<PdfText> {
  const document = await getDocument({
    data: new Uint8Array(pdf),
    isEvalSupported: false,
    useSystemFonts: false,
    verbosity: 0
  }).promise
  try {
    const parts: string[] = []
    for (let n = 1; n <= document.numPages; n++) {
      const page = await document.getPage(n)
      const content = await page.getTextContent()
      for (const item of content.items) if ('str' in item) parts.push(item.str)
    }
    const meta = await document.getMetadata()
    const info = meta.info as { Title?: string }
    return { pages: document.numPages, text: parts.join(' '), title: info.Title }
  } finally {
    await document.destroy()
  }
}

/** Collapses every run of whitespace (no-break spaces included) to one space. */
export const squash = (text: string): string => text.replace(/\s+/g, ' ')
