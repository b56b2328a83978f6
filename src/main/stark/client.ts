/**
 * The engine's port to Stark: the few calls the trial needs, made through the official SDK. The engine
 * depends on this interface (injected), never on where the SDK points, and tests run it against the
 * emulator with the real SDK behind it.
 */
import type { StarkSdk } from './sdk'

export interface InvoiceRecord {
  id: string
  amount: number
  fee: number
  name: string
  taxId: string
  status: string
  tags: string[]
}

/** A `credited` invoice log: the invoice as Stark recorded it when the money landed. */
export interface CreditedLog {
  id: string
  created: string
  invoice: InvoiceRecord
}

export interface NewInvoice {
  amount: number
  name: string
  taxId: string
  tags: string[]
  due?: string
}

export interface TransferRecord {
  id: string
  amount: number
  externalId: string
  status: string
  tags: string[]
}

export interface NewTransfer {
  amount: number
  name: string
  taxId: string
  bankCode: string
  branchCode: string
  accountNumber: string
  accountType: string
  externalId: string
  tags: string[]
}

/** An event as the API lists it (trusted: it came over the authenticated API, not a webhook). */
export interface EventRecord {
  id: string
  /** ISO-8601 with microseconds, as Stark stamps it. */
  created?: string
  subscription: string
  log: { type: string; invoice?: InvoiceRecord; transfer?: TransferRecord } & Record<
    string,
    unknown
  >
}

export interface StarkClient {
  createInvoices(invoices: NewInvoice[]): Promise<InvoiceRecord[]>
  invoicesByTag(tag: string): Promise<InvoiceRecord[]>
  /** The invoice as Stark holds it now. */
  getInvoice(invoiceId: string): Promise<InvoiceRecord>
  /** The given invoices (in requests of at most 100 ids), optionally only those in `status`. */
  invoicesByIds(invoiceIds: string[], status?: string): Promise<InvoiceRecord[]>
  /**
   * `credited` logs of the given invoices (of every invoice when `invoiceIds` is omitted), created on
   * or after `after` (YYYY-MM-DD) when given, newest first.
   */
  creditedLogs(filter: { invoiceIds?: string[]; after?: string }): Promise<CreditedLog[]>
  createTransfer(transfer: NewTransfer): Promise<TransferRecord>
  transfersByTag(tag: string): Promise<TransferRecord[]>
  /** The given transfers (in requests of at most 100 ids), with their current status. */
  transfersByIds(transferIds: string[]): Promise<TransferRecord[]>
  /** Events not yet delivered, created on or after `after` (YYYY-MM-DD) when given. */
  undeliveredEvents(after?: string): Promise<EventRecord[]>
  getEvent(id: string): Promise<EventRecord>
  markDelivered(eventId: string): Promise<void>
  /** Stark's current public key (SPKI PEM) for webhook signatures. */
  fetchPublicKey(): Promise<string>
  listWebhooks(): Promise<{ id: string; url: string; subscriptions: string[] }[]>
  createWebhook(url: string, subscriptions: string[]): Promise<{ id: string; url: string }>
  deleteWebhook(id: string): Promise<void>
  /** PNG of the invoice's Pix QR code; `size` is pixels per QR box, 1 to 50 (Stark's default 7). */
  invoiceQrcode(id: string, size?: number): Promise<Buffer>
  /** The invoice as a PDF, with its QR code and BR Code. */
  invoicePdf(id: string): Promise<Buffer>
  /** The receipt of a reversal: Stark has a PDF for `reversed` invoice logs only. */
  invoiceLogPdf(logId: string): Promise<Buffer>
  /** The receipt of a transfer that is `processing` or `success`. */
  transferPdf(id: string): Promise<Buffer>
}

/**
 * The SDK's `query()` resolves to an async generator at run time, although its typings say
 * Promise<T[]>; this accepts both and reads every page.
 */
export async function collectAll<T>(query: Promise<T[]>): Promise<T[]>
export async function collectAll<T>(query: unknown): Promise<T[]>
export async function collectAll<T>(query: unknown): Promise<T[]> {
  const items = (await query) as unknown
  if (items && typeof items === 'object' && Symbol.asyncIterator in items) {
    const out: T[] = []
    for await (const item of items as AsyncIterable<unknown>) out.push(item as T)
    return out
  }
  return items as T[]
}

type RawRequest = {
  get(path: string, query: object): Promise<{ status?: number; content: unknown }>
}

/** Stark lists at most 100 per page and ids travel in the URL: ask for them 100 at a time. */
const ID_CHUNK = 100

async function byChunks<T>(ids: string[], ask: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = []
  for (let i = 0; i < ids.length; i += ID_CHUNK)
    out.push(...(await ask(ids.slice(i, i + ID_CHUNK))))
  return out
}

export function sdkClient(sdk: StarkSdk): StarkClient {
  return {
    async createInvoices(invoices) {
      const created = await sdk.invoice.create(invoices.map((i) => new sdk.Invoice(i)))
      return created as unknown as InvoiceRecord[]
    },
    invoicesByTag: (tag) => collectAll<InvoiceRecord>(sdk.invoice.query({ tags: [tag] })),
    getInvoice: async (invoiceId) => (await sdk.invoice.get(invoiceId)) as unknown as InvoiceRecord,
    invoicesByIds: (invoiceIds, status) =>
      byChunks(invoiceIds, (ids) =>
        collectAll<InvoiceRecord>(sdk.invoice.query({ ids, ...(status ? { status } : {}) }))
      ),
    async creditedLogs({ invoiceIds, after }) {
      const ask = (ids?: string[]): Promise<CreditedLog[]> =>
        collectAll<CreditedLog>(
          sdk.invoice.log.query({
            types: ['credited'],
            ...(ids ? { invoiceIds: ids } : {}),
            ...(after ? { after } : {})
          })
        )
      return invoiceIds ? byChunks(invoiceIds, ask) : ask()
    },
    async createTransfer(transfer) {
      const [created] = await sdk.transfer.create([new sdk.Transfer(transfer)])
      return created as unknown as TransferRecord
    },
    transfersByTag: (tag) => collectAll<TransferRecord>(sdk.transfer.query({ tags: [tag] })),
    transfersByIds: (transferIds) =>
      byChunks(transferIds, (ids) => collectAll<TransferRecord>(sdk.transfer.query({ ids }))),
    undeliveredEvents: (after) =>
      collectAll<EventRecord>(sdk.event.query({ isDelivered: false, ...(after ? { after } : {}) })),
    getEvent: async (id) => (await sdk.event.get(id)) as unknown as EventRecord,
    async markDelivered(eventId) {
      await sdk.event.update(eventId, { isDelivered: true })
    },
    async fetchPublicKey() {
      // `request` exists at run time but is missing from the SDK's index typings.
      const raw = (sdk as unknown as { request: RawRequest }).request
      const response = await raw.get('public-key', { limit: 1 })
      const body = response.content as {
        publicKeys?: { content?: string }[]
        errors?: { code?: string; message?: string }[]
      }
      // starkcore fetches this route with throwError=false: a refusal is given the shape the SDK's
      // other calls throw, so that retries and the failure words treat it alike.
      if (response.status !== undefined && response.status !== 200)
        throw Object.assign(new Error(`public-key answered ${response.status}`), {
          status: response.status,
          errors: Array.isArray(body?.errors) ? body.errors : undefined
        })
      const content = body?.publicKeys?.[0]?.content
      if (!content) throw new Error('Stark answered the public-key request without a key')
      return content
    },
    listWebhooks: () => collectAll(sdk.webhook.query({})),
    async createWebhook(url, subscriptions) {
      const webhook = await sdk.webhook.create({ url, subscriptions })
      return { id: webhook.id as string, url: webhook.url }
    },
    async deleteWebhook(id) {
      await sdk.webhook.delete(id)
    },
    // starkcore's getContent answers raw bytes (a Buffer) for these routes.
    invoiceQrcode: async (id, size) =>
      (await sdk.invoice.qrcode(id, size === undefined ? {} : { size })) as Buffer,
    invoicePdf: (id) => sdk.invoice.pdf(id),
    invoiceLogPdf: (logId) => sdk.invoice.log.pdf(logId),
    transferPdf: (id) => sdk.transfer.pdf(id)
  }
}
