/**
 * The look shared by the emulator's PDFs (invoice, reversal receipt, transfer receipt): a Stark-like
 * header band, a title, label/value rows and a footer that says the document is an emulator's. Drawn
 * with pdfkit (MIT, foliojs, maintained since 2011; 0.20.2 has no open advisory) in its built-in
 * Helvetica, so no font file is shipped and the text stays extractable.
 */
import PDFDocument from 'pdfkit'

export const PAGE = { width: 595.28, height: 841.89, margin: 48 }
const INK = '#14213d'
const MUTED = '#5c6478'
const RULE = '#d5d9e2'
const BAND = '#0a1630'
const ACCENT = '#f2a541'

export type Pdf = PDFKit.PDFDocument

export interface PdfMeta {
  title: string
  /** Emulator time of the document, not the wall clock: the same state gives the same file. */
  created: Date
}

/** Renders `draw` onto one A4 page and resolves with the PDF bytes. */
export function renderPdf(meta: PdfMeta, draw: (doc: Pdf) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      margin: PAGE.margin,
      info: {
        Title: meta.title,
        Author: 'Stark Bank (sandbox emulator)',
        Creator: 'Stark Sandbox Simulator',
        CreationDate: meta.created
      }
    })
    const chunks: Buffer[] = []
    doc.on('data', (chunk: Buffer) => chunks.push(chunk))
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
    try {
      draw(doc)
      doc.end()
    } catch (error) {
      reject(error)
    }
  })
}

/** The dark band with the bank's name, the sandbox badge and the document's title below. */
export function header(doc: Pdf, title: string, subtitle: string): void {
  doc.rect(0, 0, PAGE.width, 86).fill(BAND)
  doc.fillColor('#ffffff').font('Helvetica-Bold').fontSize(22).text('Stark Bank', PAGE.margin, 30)
  const badge = 'SANDBOX · EMULADOR'
  doc.font('Helvetica-Bold').fontSize(9)
  const badgeWidth = doc.widthOfString(badge) + 16
  const badgeX = PAGE.width - PAGE.margin - badgeWidth
  doc.roundedRect(badgeX, 34, badgeWidth, 20, 4).fill(ACCENT)
  doc.fillColor(BAND).text(badge, badgeX + 8, 40, { lineBreak: false })
  doc.fillColor(INK).font('Helvetica-Bold').fontSize(18).text(title, PAGE.margin, 112)
  doc
    .fillColor(MUTED)
    .font('Helvetica')
    .fontSize(10)
    .text(subtitle, PAGE.margin, doc.y + 2)
  doc.moveDown(1)
}

/** A large figure (the amount) with its label, as bank documents lead with it. */
export function headline(doc: Pdf, label: string, value: string): void {
  const y = doc.y
  doc.fillColor(MUTED).font('Helvetica').fontSize(10).text(label, PAGE.margin, y)
  doc
    .fillColor(INK)
    .font('Helvetica-Bold')
    .fontSize(26)
    .text(value, PAGE.margin, doc.y + 2)
  doc.moveDown(0.6)
  rule(doc)
}

export function rule(doc: Pdf): void {
  const y = doc.y + 4
  doc
    .moveTo(PAGE.margin, y)
    .lineTo(PAGE.width - PAGE.margin, y)
    .lineWidth(0.7)
    .strokeColor(RULE)
    .stroke()
  doc.y = y + 10
}

/** A section title followed by label / value rows; empty values are left out. */
export function section(
  doc: Pdf,
  title: string,
  rows: [label: string, value: string | undefined][]
): void {
  const x = PAGE.margin
  const width = PAGE.width - 2 * PAGE.margin
  doc.fillColor(INK).font('Helvetica-Bold').fontSize(11).text(title, x, doc.y, { width })
  doc.moveDown(0.3)
  const labelWidth = Math.min(150, width * 0.38)
  for (const [label, value] of rows) {
    if (value === undefined || value === '') continue
    const y = doc.y
    doc.fillColor(MUTED).font('Helvetica').fontSize(9.5).text(label, x, y, { width: labelWidth })
    const labelBottom = doc.y
    doc
      .fillColor(INK)
      .font('Helvetica')
      .fontSize(10)
      .text(value, x + labelWidth + 8, y, { width: width - labelWidth - 8 })
    doc.y = Math.max(doc.y, labelBottom) + 3
  }
  // pdfkit leaves the cursor at the last value's column; the next block starts at the margin.
  doc.x = x
  doc.moveDown(0.6)
}

/** The closing lines: what produced the document and that it is worth nothing. */
export function footer(doc: Pdf, generatedAt: string): void {
  const y = PAGE.height - PAGE.margin - 34
  doc
    .moveTo(PAGE.margin, y - 8)
    .lineTo(PAGE.width - PAGE.margin, y - 8)
    .lineWidth(0.7)
    .strokeColor(RULE)
    .stroke()
  doc
    .fillColor(MUTED)
    .font('Helvetica')
    .fontSize(8)
    .text(
      'Documento gerado pelo emulador do sandbox da Stark Bank (Stark Sandbox Simulator) para testes ' +
        `e demonstrações. Não tem valor fiscal nem financeiro. Gerado em ${generatedAt}.`,
      PAGE.margin,
      y,
      { width: PAGE.width - 2 * PAGE.margin, lineBreak: true }
    )
}
