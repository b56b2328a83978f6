/**
 * The transfer resource (shared/stark-api.md §3.2): batch create with one error per invalid element,
 * Stark's duplicate filters, get, cancel, query and logs. The lifecycle after creation lives in
 * transfer-lifecycle.ts.
 */
import type { EmulatorCore } from './core'
import { ErrorList, StarkError } from './errors'
import { dateRange, hasAnyTag, listParam, page, type ListOrder } from './listing'
import type { ApiRequest, Router } from './router'
import {
  cancelTransfer,
  processTransfer,
  settleTransfer,
  writeTransferLog
} from './transfer-lifecycle'
import { checkTransfer, receiverDayKey, utcDay, type TransferInput } from './transfer-validation'
import type { Transfer, TransferLog } from './types'

const MAX_BATCH = 100

const SORTS: Record<string, ListOrder> = {
  '-created': { order: 'created', descending: true },
  created: { order: 'created', descending: false },
  '-updated': { order: 'updated', descending: true },
  updated: { order: 'updated', descending: false }
}

const digitsOnly = (value: string): string => value.replace(/\D/g, '')

/** Transfers that no longer move money do not block a repeat to the same receiver. */
const blocksRepeat = (t: Transfer): boolean => t.status !== 'canceled' && t.status !== 'failed'

export function registerTransfers(api: Router, core: EmulatorCore): void {
  const find = (id: string): Transfer => {
    const transfer = core.state.transfers[id]
    if (!transfer) throw StarkError.of('invalidTransfer', `Transfer ${id} not found`)
    return transfer
  }
  const param = (req: ApiRequest): string => req.params.id as string

  api.add('POST', '/v2/transfer', (req) => ({
    message: 'Transfer(s) successfully created',
    transfers: structuredClone(createTransfers(core, req.body))
  }))
  api.add('GET', '/v2/transfer', (req) => structuredClone(listTransfers(core, req.query)))
  api.add('GET', '/v2/transfer/log', (req) => structuredClone(listLogs(core, req.query)))
  api.add('GET', '/v2/transfer/log/:id', (req) => {
    const log = core.state.transferLogs[param(req)]
    if (!log) throw StarkError.of('invalidTransferLog', `Transfer log ${param(req)} not found`)
    return { log: structuredClone(log) }
  })
  api.add('GET', '/v2/transfer/:id', (req) => ({ transfer: structuredClone(find(param(req))) }))
  api.add('DELETE', '/v2/transfer/:id', (req) => {
    const transfer = find(param(req))
    cancelTransfer(core, transfer)
    return { transfer: structuredClone(transfer) }
  })

  core.on('transfer.process', (job) => processTransfer(core, job.transferId))
  core.on('transfer.settle', (job) => settleTransfer(core, job.transferId))
}

function requestedTransfers(body: unknown): unknown[] {
  const transfers = (body as { transfers?: unknown } | undefined)?.transfers
  if (
    typeof body !== 'object' ||
    body === null ||
    Array.isArray(body) ||
    !Array.isArray(transfers)
  ) {
    throw StarkError.of('invalidJson', 'The request body must be {"transfers": [...]}')
  }
  const extra = Object.keys(body).filter((k) => k !== 'transfers')
  if (extra.length > 0)
    throw StarkError.of('invalidJson', `Unknown body parameters: ${extra.join(', ')}`)
  if (transfers.length < 1 || transfers.length > MAX_BATCH) {
    throw StarkError.of(
      'invalidJson',
      `A request must carry from 1 to ${MAX_BATCH} transfers, got ${transfers.length}`
    )
  }
  return transfers
}

/**
 * Validates the whole batch first (one error per invalid element, nothing created if any is
 * invalid), then creates every transfer and schedules its processing.
 */
function createTransfers(core: EmulatorCore, body: unknown): Transfer[] {
  const requested = requestedTransfers(body)
  const now = core.now()
  const errors = new ErrorList()

  // Who holds each externalId and each default (receiver, amount, day) key: the stored transfers
  // (read from the index) and the elements of this request accepted so far.
  const keys = core.indexes.transferKeys
  const externalIds = new Map<string, string>()
  const receiverDays = new Map<string, string>()
  const externalIdOwner = (externalId: string): string | undefined => {
    const stored = keys.externalIds.get(externalId)
    return stored !== undefined ? `transfer ${stored}` : externalIds.get(externalId)
  }
  const receiverDayOwner = (key: string): string | undefined => {
    // The last one, as a scan in creation order that kept overwriting the key would report.
    const stored = keys
      .sharingReceiverDay(key)
      .filter((id) => {
        const t = core.state.transfers[id]
        return t !== undefined && blocksRepeat(t)
      })
      .at(-1)
    return stored !== undefined ? `transfer ${stored}` : receiverDays.get(key)
  }

  const accepted: TransferInput[] = []
  requested.forEach((raw, i) => {
    const checked = checkTransfer(raw, now)
    if (!checked.ok) {
      errors.add(checked.code, `Element ${i}: ${checked.message}`)
      return
    }
    const input = checked.input
    const self = `element ${i} of this request`
    if (input.externalId !== undefined) {
      const owner = externalIdOwner(input.externalId)
      if (owner) {
        errors.add(
          'invalidExternalId',
          `Element ${i}: externalId ${input.externalId} was already used by ${owner}`
        )
        return
      }
      externalIds.set(input.externalId, self)
    } else {
      const day = utcDay(input.scheduledMs ?? now)
      const key = receiverDayKey(input, day)
      const owner = receiverDayOwner(key)
      if (owner) {
        errors.add(
          'repeatedTransfer',
          `Element ${i}: ${owner} already sends ${input.amount} cents to bank ${input.bankCode}, ` +
            `branch ${input.branchCode}, account ${input.accountNumber} on ${day}. Without an ` +
            'externalId such a repeat is blocked; give each transfer a unique externalId to send it anyway'
        )
        return
      }
      receiverDays.set(key, self)
    }
    accepted.push(input)
  })
  errors.throwIfAny()

  return accepted.map((input) => createTransfer(core, input, now))
}

function createTransfer(core: EmulatorCore, input: TransferInput, now: number): Transfer {
  const created = core.iso()
  // Keys in Stark's (alphabetical) order, so stored records read like real payloads.
  const transfer: Transfer = {
    accountNumber: input.accountNumber,
    accountType: input.accountType,
    amount: input.amount,
    bankCode: input.bankCode,
    branchCode: input.branchCode,
    created,
    description: input.description,
    displayDescription: input.displayDescription,
    externalId: input.externalId ?? '',
    fee: core.config.transferFee,
    id: core.newId(),
    metadata: {},
    name: input.name,
    rules: input.rules,
    scheduled: input.scheduled ?? created,
    status: 'created',
    tags: input.tags,
    taxId: input.taxId,
    transactionIds: [],
    updated: created
  }
  core.put('transfers', transfer.id, transfer)
  writeTransferLog(core, transfer, 'created', [], created)
  const start = Math.max(now, input.scheduledMs ?? now)
  core.schedule({
    kind: 'transfer.process',
    transferId: transfer.id,
    at: start + core.config.transferProcessingDelaySeconds * 1000
  })
  return transfer
}

function listTransfers(core: EmulatorCore, query: URLSearchParams): Record<string, unknown> {
  const sort = query.get('sort') || '-created'
  const order = SORTS[sort]
  if (!order) {
    throw StarkError.of(
      'invalidSort',
      `sort must be one of ${Object.keys(SORTS).join(', ')}, got ${sort}`
    )
  }
  const statuses = listParam(query, 'status')
  const tags = listParam(query, 'tags')
  const ids = listParam(query, 'ids')
  const transactionIds = listParam(query, 'transactionIds')
  const taxId = query.get('taxId')
  const range = dateRange(query)
  return page(
    core.indexes.transfers,
    query,
    'transfers',
    {
      ids,
      created: range.keys,
      anyOf: [
        ...(statuses ? [{ field: 'status', values: statuses }] : []),
        ...(tags ? [{ field: 'tags', values: tags.map((t) => t.toLowerCase()) }] : [])
      ],
      matches: (t) =>
        (!statuses || statuses.includes(t.status)) &&
        hasAnyTag(t.tags, tags) &&
        (!ids || ids.includes(t.id)) &&
        (!transactionIds || t.transactionIds.some((id) => transactionIds.includes(id))) &&
        (!taxId || digitsOnly(t.taxId) === digitsOnly(taxId)) &&
        range.matches(t.created)
    },
    order
  )
}

function listLogs(core: EmulatorCore, query: URLSearchParams): Record<string, unknown> {
  const transferIds = listParam(query, 'transferIds')
  const types = listParam(query, 'types')
  const range = dateRange(query)
  return page(core.indexes.transferLogs, query, 'logs', {
    created: range.keys,
    anyOf: [
      ...(transferIds ? [{ field: 'transferId', values: transferIds }] : []),
      ...(types ? [{ field: 'type', values: types }] : [])
    ],
    matches: (log: TransferLog) =>
      (!transferIds || transferIds.includes(log.transfer.id)) &&
      (!types || types.includes(log.type)) &&
      range.matches(log.created)
  })
}
