/**
 * Validation of invoice creates and updates, with the error codes the real sandbox answered
 * (shared/stark-api.md §3.1, pyAPItests). Errors are collected, not thrown, so that a batch answers
 * every invalid invoice in one 400 and creates nothing.
 */
import { isValidTaxId } from '../stark/tax-id'
import type { ErrorList } from './errors'
import {
  DEFAULT_EXPIRATION,
  checkDescriptions,
  checkDiscounts,
  checkDue,
  checkList,
  formatTaxId,
  isAmount,
  isExpiration,
  isObject,
  isPercent,
  show,
  unknownKeys,
  type Fields,
  type ValidationContext
} from './invoice-fields'
import { formatStarkDate } from './stark-dates'
import type { Invoice } from './types'

export type { ValidationContext } from './invoice-fields'

const DEFAULT_DUE_MS = 2 * 86_400_000

const CREATE_KEYS = new Set([
  'amount',
  'taxId',
  'name',
  'due',
  'expiration',
  'fine',
  'interest',
  'discounts',
  'descriptions',
  'tags',
  'rules',
  'splits',
  'displayDescription'
])
const UPDATE_KEYS = new Set(['amount', 'status', 'due', 'expiration'])

/** The fields a client sets when creating an invoice, validated and with Stark's defaults. */
export type InvoiceInput = Pick<
  Invoice,
  | 'amount'
  | 'taxId'
  | 'name'
  | 'due'
  | 'expiration'
  | 'fine'
  | 'interest'
  | 'discounts'
  | 'descriptions'
  | 'tags'
  | 'rules'
  | 'splits'
  | 'displayDescription'
>

export interface InvoiceUpdate {
  amount?: number
  status?: 'canceled'
  due?: string
  expiration?: number
}

/** Validates one element of `invoices`; returns undefined (with errors added) if it is invalid. */
export function validateInvoice(
  item: unknown,
  index: number,
  ctx: ValidationContext,
  errors: ErrorList
): InvoiceInput | undefined {
  const at = `invoices[${index}]`
  if (!isObject(item)) {
    errors.add('invalidJson', `${at} must be an invoice object, got ${show(item)}`)
    return undefined
  }
  const before = errors.items.length
  const extra = unknownKeys(item, CREATE_KEYS)
  if (extra.length > 0) errors.add('invalidJson', `${at} has unknown field(s): ${extra.join(', ')}`)

  const { amount, taxId, name } = item
  if (amount === undefined || amount === null) errors.add('invalidJson', `${at}.amount is required`)
  else if (!isAmount(amount)) {
    errors.add(
      'invalidAmount',
      `${at}.amount must be an integer from 0 to 10^15 - 1 cents, got ${show(amount)}`
    )
  }
  if (taxId === undefined || taxId === null) errors.add('invalidJson', `${at}.taxId is required`)
  else if (!isValidTaxId(taxId)) {
    errors.add('invalidTaxId', `${at}.taxId ${show(taxId)} is not a valid CPF or CNPJ`)
  }
  if (name === undefined || name === null) errors.add('invalidJson', `${at}.name is required`)
  else if (typeof name !== 'string' || name.trim() === '') {
    errors.add('invalidName', `${at}.name must be a non-empty string, got ${show(name)}`)
  }

  const due =
    item.due === undefined || item.due === null
      ? {
          ms: ctx.now + DEFAULT_DUE_MS,
          micros: -1,
          dateOnly: false,
          dayStart: ctx.now + DEFAULT_DUE_MS
        }
      : checkDue(item.due, ctx, at, errors)

  const expiration = item.expiration ?? DEFAULT_EXPIRATION
  if (!isExpiration(expiration)) {
    errors.add(
      'invalidExpiration',
      `${at}.expiration must be a whole number of seconds, got ${show(expiration)}`
    )
  }
  const fine = item.fine ?? 2.0
  if (!isPercent(fine))
    errors.add('invalidFine', `${at}.fine must be a percentage from 0 to 100, got ${show(fine)}`)
  const interest = item.interest ?? 1.0
  if (!isPercent(interest)) {
    errors.add(
      'invalidInterest',
      `${at}.interest must be a monthly percentage from 0 to 100, got ${show(interest)}`
    )
  }
  const discounts = due ? checkDiscounts(item.discounts, due, ctx, at, errors) : []
  const descriptions = checkDescriptions(item.descriptions, at, errors)

  const tags = item.tags ?? []
  if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string')) {
    errors.add('invalidTags', `${at}.tags must be a list of strings, got ${show(tags)}`)
  }
  const rules = checkList(item.rules, at, 'rules', errors)
  const splits = checkList(item.splits, at, 'splits', errors)
  const displayDescription = item.displayDescription ?? ''
  if (typeof displayDescription !== 'string') {
    errors.add(
      'invalidJson',
      `${at}.displayDescription must be a string, got ${show(displayDescription)}`
    )
  }

  if (errors.items.length > before || !due) return undefined
  return {
    amount: amount as number,
    taxId: formatTaxId(taxId as string),
    name: name as string,
    // The default due gets the core's microseconds, like every datetime the emulator makes up.
    due: due.micros < 0 ? ctx.iso(due.ms) : formatStarkDate(due.ms, due.micros),
    expiration: expiration as number,
    fine: fine as number,
    interest: interest as number,
    discounts,
    descriptions,
    tags: (tags as string[]).map((t) => t.toLowerCase()),
    rules,
    splits,
    displayDescription: displayDescription as string
  }
}

/** Validates a PATCH body; throws (through `errors`) on anything Stark would refuse. */
export function validateInvoiceUpdate(
  body: unknown,
  ctx: ValidationContext,
  errors: ErrorList
): InvoiceUpdate {
  const at = 'invoice'
  if (!isObject(body) || Object.keys(body).length === 0) {
    errors.add('invalidJson', 'The body must be an object with amount, status, due or expiration')
    errors.throwIfAny()
  }
  const fields = body as Fields
  const extra = unknownKeys(fields, UPDATE_KEYS)
  if (extra.length > 0)
    errors.add('invalidJson', `Unknown field(s) in the update: ${extra.join(', ')}`)
  const update: InvoiceUpdate = {}
  if (fields.amount !== undefined && fields.amount !== null) {
    if (isAmount(fields.amount)) update.amount = fields.amount
    else
      errors.add(
        'invalidAmount',
        `amount must be an integer from 0 to 10^15 - 1 cents, got ${show(fields.amount)}`
      )
  }
  if (fields.status !== undefined && fields.status !== null) {
    if (fields.status === 'canceled') update.status = 'canceled'
    else
      errors.add(
        'invalidStatus',
        `status can only be set to "canceled", got ${show(fields.status)}`
      )
  }
  if (fields.due !== undefined && fields.due !== null) {
    const due = checkDue(fields.due, ctx, at, errors)
    if (due) update.due = formatStarkDate(due.ms, due.micros)
  }
  if (fields.expiration !== undefined && fields.expiration !== null) {
    if (isExpiration(fields.expiration)) update.expiration = fields.expiration
    else
      errors.add(
        'invalidExpiration',
        `expiration must be a whole number of seconds, got ${show(fields.expiration)}`
      )
  }
  errors.throwIfAny()
  return update
}
