/**
 * The invoice resource: create (batches of up to 100), get, query, update (change, cancel, reverse),
 * payment, and the invoice logs, with the routes and response keys of shared/stark-api.md §2.1.
 */
import { postLedger } from './account'
import { invoiceLink, invoicePdf, pixBrcode } from './brcode'
import type { EmulatorCore } from './core'
import { ErrorList, StarkError } from './errors'
import {
  cancelPendingJobs,
  isPayable,
  payInvoice,
  registerInvoiceJobs,
  scheduleDeadlines,
  scheduleNewInvoice,
  writeInvoiceLog
} from './invoice-lifecycle'
import {
  validateInvoice,
  validateInvoiceUpdate,
  type InvoiceInput,
  type ValidationContext
} from './invoice-validation'
import { dateRange, hasAnyTag, listParam, page } from './listing'
import type { Router } from './router'
import type { Invoice, InvoiceLog } from './types'

const MAX_BATCH = 100

export interface InvoiceModule {
  /** Pays an invoice now (control API); its credit follows after the configured delay. */
  payNow(invoiceId: string): Promise<Invoice>
}

function buildInvoice(core: EmulatorCore, input: InvoiceInput): Invoice {
  const uuid = core.hex(32)
  const created = core.iso()
  // Alphabetical, as Stark serializes invoices.
  return {
    amount: input.amount,
    brcode: pixBrcode(uuid),
    created,
    descriptions: input.descriptions,
    discountAmount: 0,
    discounts: input.discounts,
    displayDescription: input.displayDescription,
    due: input.due,
    expiration: input.expiration,
    fee: 0,
    fine: input.fine,
    fineAmount: 0,
    id: core.newId(),
    interest: input.interest,
    interestAmount: 0,
    link: invoiceLink(uuid),
    name: input.name,
    nominalAmount: input.amount,
    pdf: invoicePdf(uuid),
    rules: input.rules,
    splits: input.splits,
    status: 'created',
    tags: input.tags,
    taxId: input.taxId,
    transactionIds: [],
    updated: created
  }
}

export function registerInvoices(api: Router, core: EmulatorCore): InvoiceModule {
  registerInvoiceJobs(core)

  const context = (): ValidationContext => ({
    now: core.now(),
    pastDueToleranceSeconds: core.config.pastDueToleranceSeconds,
    iso: (ms) => core.iso(ms)
  })

  const findInvoice = (id: string): Invoice => {
    const invoice = core.state.invoices[id]
    if (!invoice) throw StarkError.of('invalidInvoice', `Invoice ${id} not found`)
    return invoice
  }

  api.add('POST', '/v2/invoice', (req) => {
    const body = req.body as { invoices?: unknown } | undefined
    const items = body?.invoices
    if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BATCH) {
      const got = Array.isArray(items) ? `${items.length} invoices` : 'no invoices list'
      throw StarkError.of(
        'invalidJson',
        `Send from 1 to ${MAX_BATCH} invoices in "invoices"; got ${got}`
      )
    }
    const errors = new ErrorList()
    const ctx = context()
    const inputs = items.map((item, i) => validateInvoice(item, i, ctx, errors))
    errors.throwIfAny()
    const created = (inputs as InvoiceInput[]).map((input) => {
      const invoice = buildInvoice(core, input)
      core.put('invoices', invoice.id, invoice)
      writeInvoiceLog(core, invoice, 'created')
      scheduleNewInvoice(core, invoice)
      return structuredClone(invoice)
    })
    return { message: 'Invoice(s) successfully created', invoices: created }
  })

  api.add('GET', '/v2/invoice', (req) => {
    const statuses = listParam(req.query, 'status')
    const tags = listParam(req.query, 'tags')
    const ids = listParam(req.query, 'ids')
    const range = dateRange(req.query)
    const result = page(core.indexes.invoices, req.query, 'invoices', {
      ids,
      created: range.keys,
      anyOf: [
        ...(statuses ? [{ field: 'status', values: statuses }] : []),
        ...(tags ? [{ field: 'tags', values: tags.map((t) => t.toLowerCase()) }] : [])
      ],
      matches: (inv) =>
        (!statuses || statuses.includes(inv.status)) &&
        (!ids || ids.includes(inv.id)) &&
        hasAnyTag(inv.tags, tags) &&
        range.matches(inv.created)
    })
    return structuredClone(result)
  })

  api.add('GET', '/v2/invoice/log', (req) => {
    const invoiceIds = listParam(req.query, 'invoiceIds')
    const types = listParam(req.query, 'types')
    const range = dateRange(req.query)
    const result = page(core.indexes.invoiceLogs, req.query, 'logs', {
      created: range.keys,
      anyOf: [
        ...(invoiceIds ? [{ field: 'invoiceId', values: invoiceIds }] : []),
        ...(types ? [{ field: 'type', values: types }] : [])
      ],
      matches: (log) =>
        (!invoiceIds || invoiceIds.includes(log.invoice.id)) &&
        (!types || types.includes(log.type)) &&
        range.matches(log.created)
    })
    return structuredClone(result)
  })

  api.add('GET', '/v2/invoice/log/:id', (req) => {
    const log: InvoiceLog | undefined = core.state.invoiceLogs[req.params.id as string]
    if (!log) throw StarkError.of('invalidInvoiceLog', `Invoice log ${req.params.id} not found`)
    return { log: structuredClone(log) }
  })

  api.add('GET', '/v2/invoice/:id', (req) => ({
    invoice: structuredClone(findInvoice(req.params.id as string))
  }))

  api.add('GET', '/v2/invoice/:id/payment', (req) => {
    const invoice = findInvoice(req.params.id as string)
    const payment = core.state.invoicePayments[invoice.id]
    if (!payment) {
      throw StarkError.of(
        'invalidInvoice',
        `Invoice ${invoice.id} is ${invoice.status}; it has no payment information until it is paid`
      )
    }
    return { payment: structuredClone(payment) }
  })

  api.add('PATCH', '/v2/invoice/:id', (req) => {
    const invoice = findInvoice(req.params.id as string)
    const update = validateInvoiceUpdate(req.body, context(), new ErrorList())
    if (invoice.status === 'canceled' || invoice.status === 'expired') {
      throw StarkError.of(
        'invalidOperation',
        `Invoice ${invoice.id} is ${invoice.status} and cannot be updated`
      )
    }
    if (invoice.status === 'paid') reverse(invoice, update)
    else if (update.status === 'canceled') {
      cancelPendingJobs(core, invoice.id)
      invoice.status = 'canceled'
      invoice.updated = core.iso()
      writeInvoiceLog(core, invoice, 'canceled')
    } else {
      if (update.amount !== undefined) {
        invoice.amount = update.amount
        invoice.nominalAmount = update.amount
      }
      if (update.due !== undefined) invoice.due = update.due
      if (update.expiration !== undefined) invoice.expiration = update.expiration
      // A due moved into the future makes an overdue invoice payable without late charges again.
      if (invoice.status === 'overdue' && Date.parse(invoice.due) > core.now())
        invoice.status = 'created'
      invoice.updated = core.iso()
      if (update.due !== undefined || update.expiration !== undefined)
        scheduleDeadlines(core, invoice)
      writeInvoiceLog(core, invoice, 'updated')
    }
    return { invoice: structuredClone(invoice) }
  })

  /** After payment only a smaller amount is accepted: the difference goes back to the payer. */
  const reverse = (invoice: Invoice, update: ReturnType<typeof validateInvoiceUpdate>): void => {
    if (
      update.status !== undefined ||
      update.due !== undefined ||
      update.expiration !== undefined
    ) {
      throw StarkError.of(
        'invalidOperation',
        `Invoice ${invoice.id} is paid; only a smaller amount (a reversal) can be requested`
      )
    }
    if (update.amount === undefined || update.amount >= invoice.amount) {
      throw StarkError.of(
        'invalidAmount',
        `Invoice ${invoice.id} is paid; a reversal needs an amount below ${invoice.amount}`
      )
    }
    // Before the credit the money is not in the balance yet, so there is nothing to give back.
    if (invoice.transactionIds.length === 0) {
      throw StarkError.of(
        'invalidOperation',
        `Invoice ${invoice.id} is not credited yet and cannot be reversed`
      )
    }
    const reversed = invoice.amount - update.amount
    const id = postLedger(
      core,
      -reversed,
      `Invoice ${invoice.id} reversed`,
      `invoice:${invoice.id}`
    )
    invoice.amount = update.amount
    invoice.transactionIds.push(id)
    invoice.updated = core.iso()
    writeInvoiceLog(core, invoice, 'reversed')
  }

  return {
    async payNow(invoiceId) {
      const invoice = findInvoice(invoiceId)
      if (!isPayable(invoice)) {
        throw StarkError.of(
          'invalidInvoice',
          `Invoice ${invoiceId} is ${invoice.status} and cannot be paid`
        )
      }
      payInvoice(core, invoice)
      return structuredClone(invoice)
    }
  }
}
