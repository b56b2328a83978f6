/**
 * The three PDFs Stark serves for the trial's records, drawn as a plausible Stark document for a
 * demo: the invoice (with its Pix QR code and BR Code), the receipt of a reversal (an invoice log
 * of type `reversed`) and the receipt of a transfer. Amounts are integer cents formatted only here,
 * in pt-BR BRL; dates are shown in Brasília time, as Stark's documents do.
 */
import { formatBRL } from '../../shared/money'
import { brcodePng } from './brcode-image'
import { footer, header, headline, PAGE, renderPdf, rule, section } from './pdf-layout'
import type { Invoice, InvoiceLog, InvoicePayment, Transfer } from './types'

/** What every document needs from the emulator besides its record. */
export interface DocumentContext {
  /** Emulator time, epoch ms. */
  now: number
  workspaceId: string
}

const BRASILIA = new Intl.DateTimeFormat('pt-BR', {
  timeZone: 'America/Sao_Paulo',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit'
})

/** A Stark datetime (microseconds and all) as Brasília wall time. */
export function brasiliaTime(value: string | number): string {
  const ms = typeof value === 'number' ? value : Date.parse(value)
  return Number.isNaN(ms) ? String(value) : `${BRASILIA.format(ms)} (horário de Brasília)`
}

const INVOICE_STATUS: Record<string, string> = {
  created: 'Em aberto',
  paid: 'Paga',
  canceled: 'Cancelada',
  overdue: 'Vencida',
  expired: 'Expirada'
}

const TRANSFER_STATUS: Record<string, string> = {
  created: 'Criada',
  processing: 'Em processamento',
  success: 'Concluída',
  failed: 'Falhou',
  canceled: 'Cancelada'
}

const ACCOUNT_TYPE: Record<string, string> = {
  checking: 'Conta corrente',
  payment: 'Conta de pagamento',
  savings: 'Conta poupança',
  salary: 'Conta salário'
}

const status = (names: Record<string, string>, value: string): string =>
  `${names[value] ?? value} (${value})`

const percent = (value: number): string =>
  `${value.toLocaleString('pt-BR', { minimumFractionDigits: 1 })} %`

const money = (cents: number): string => formatBRL(cents)

const ifNonZero = (cents: number): string | undefined => (cents === 0 ? undefined : money(cents))

/** The invoice as its payer would receive it: amount, due date, Pix QR code and BR Code. */
export async function invoicePdf(invoice: Invoice, ctx: DocumentContext): Promise<Buffer> {
  const qr = await brcodePng(invoice.brcode, 4)
  return renderPdf({ title: `Fatura Pix ${invoice.id}`, created: new Date(ctx.now) }, (doc) => {
    header(doc, 'Fatura Pix', `Invoice ${invoice.id}`)
    headline(doc, 'Valor a pagar', money(invoice.amount))
    section(doc, 'Cobrança', [
      ['ID da fatura', invoice.id],
      ['Situação', status(INVOICE_STATUS, invoice.status)],
      ['Vencimento', brasiliaTime(invoice.due)],
      ['Emitida em', brasiliaTime(invoice.created)],
      ['Valor nominal', money(invoice.nominalAmount)],
      ['Multa por atraso', invoice.fine > 0 ? percent(invoice.fine) : undefined],
      ['Juros ao mês', invoice.interest > 0 ? percent(invoice.interest) : undefined],
      ['Multa cobrada', ifNonZero(invoice.fineAmount)],
      ['Juros cobrados', ifNonZero(invoice.interestAmount)],
      ['Desconto', ifNonZero(invoice.discountAmount)],
      ['Tags', invoice.tags.join(', ')]
    ])
    section(doc, 'Pagador', [
      ['Nome', invoice.name],
      ['CPF/CNPJ', invoice.taxId]
    ])
    section(doc, 'Recebedor', [
      ['Nome', 'Stark Bank S.A. (sandbox)'],
      ['Workspace', ctx.workspaceId]
    ])
    rule(doc)
    const top = doc.y
    doc.image(qr, PAGE.margin, top, { width: 150 })
    const textX = PAGE.margin + 170
    const textWidth = PAGE.width - PAGE.margin - textX
    doc
      .fillColor('#14213d')
      .font('Helvetica-Bold')
      .fontSize(11)
      .text('Pague com Pix', textX, top, { width: textWidth })
    doc
      .fillColor('#5c6478')
      .font('Helvetica')
      .fontSize(9)
      .text(
        'Leia o QR Code no app do seu banco ou copie o código abaixo (Pix Copia e Cola).',
        textX,
        doc.y + 2,
        { width: textWidth }
      )
    doc
      .fillColor('#14213d')
      .font('Courier')
      .fontSize(8)
      .text(invoice.brcode, textX, doc.y + 6, { width: textWidth, lineBreak: true })
    footer(doc, brasiliaTime(ctx.now))
  })
}

/**
 * The receipt of a reversal. Stark serves a log's PDF for `reversed` logs only. The total given back
 * is what the payer paid minus what the invoice is worth after this reversal.
 */
export function reversalReceiptPdf(
  log: InvoiceLog,
  payment: InvoicePayment | undefined,
  ctx: DocumentContext
): Promise<Buffer> {
  const invoice = log.invoice
  const paid = payment?.amount
  return renderPdf(
    { title: `Comprovante de estorno ${log.id}`, created: new Date(ctx.now) },
    (doc) => {
      header(doc, 'Comprovante de estorno Pix', `Invoice log ${log.id}`)
      headline(
        doc,
        'Total estornado ao pagador',
        paid === undefined ? '—' : money(paid - invoice.amount)
      )
      section(doc, 'Estorno', [
        ['ID do log', log.id],
        ['Data do estorno', brasiliaTime(log.created)],
        ['ID da fatura', invoice.id],
        ['Fatura emitida para', `${invoice.name} (${invoice.taxId})`],
        ['Valor pago', paid === undefined ? undefined : money(paid)],
        ['Valor da fatura após o estorno', money(invoice.amount)],
        ['Situação da fatura', status(INVOICE_STATUS, invoice.status)],
        ['Transações', invoice.transactionIds.join(', ')]
      ])
      section(doc, 'Devolvido a', [
        ['Nome', payment?.name ?? invoice.name],
        ['CPF/CNPJ', payment?.taxId ?? invoice.taxId],
        ['Banco (ISPB)', payment?.bankCode],
        ['Agência', payment?.branchCode],
        ['Conta', payment?.accountNumber],
        ['ID fim a fim (pagamento)', payment?.endToEndId]
      ])
      section(doc, 'Origem', [
        ['Instituição', 'Stark Bank S.A. (sandbox)'],
        ['Workspace', ctx.workspaceId]
      ])
      footer(doc, brasiliaTime(ctx.now))
    }
  )
}

/** The receipt of a transfer (Stark: only for transfers `processing` or `success`). */
export function transferReceiptPdf(transfer: Transfer, ctx: DocumentContext): Promise<Buffer> {
  return renderPdf(
    { title: `Comprovante de transferência ${transfer.id}`, created: new Date(ctx.now) },
    (doc) => {
      header(doc, 'Comprovante de transferência', `Transfer ${transfer.id}`)
      headline(doc, 'Valor transferido', money(transfer.amount))
      section(doc, 'Transferência', [
        ['ID da transferência', transfer.id],
        ['Situação', status(TRANSFER_STATUS, transfer.status)],
        ['Criada em', brasiliaTime(transfer.created)],
        ['Atualizada em', brasiliaTime(transfer.updated)],
        ['Agendada para', brasiliaTime(transfer.scheduled)],
        ['Tarifa', money(transfer.fee)],
        ['ID externo', transfer.externalId],
        ['Descrição', transfer.description],
        ['Tags', transfer.tags.join(', ')],
        ['Transações', transfer.transactionIds.join(', ')]
      ])
      section(doc, 'Destino', [
        ['Nome', transfer.name],
        ['CPF/CNPJ', transfer.taxId],
        ['Banco (código)', transfer.bankCode],
        ['Agência', transfer.branchCode],
        ['Conta', transfer.accountNumber],
        ['Tipo de conta', ACCOUNT_TYPE[transfer.accountType] ?? transfer.accountType]
      ])
      section(doc, 'Origem', [
        ['Instituição', 'Stark Bank S.A. (sandbox)'],
        ['Workspace', ctx.workspaceId]
      ])
      footer(doc, brasiliaTime(ctx.now))
    }
  )
}
