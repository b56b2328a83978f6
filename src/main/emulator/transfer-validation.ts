/**
 * Checks one element of `POST /v2/transfer` the way Stark does (shared/stark-api.md §3.2): the first
 * problem found becomes that element's single error, and the caller collects one error per element.
 * Codes Stark does not document (duplicates, bad tags, bad sort) are the emulator's choice.
 */
import { isValidTaxId } from '../stark/tax-id'
import type { Transfer } from './types'
import { showValue } from './show-value'

export const ACCOUNT_TYPES = ['checking', 'payment', 'savings', 'salary'] as const

const REQUIRED = ['amount', 'name', 'taxId', 'bankCode', 'branchCode', 'accountNumber'] as const
const OPTIONAL = [
  'accountType',
  'externalId',
  'scheduled',
  'description',
  'displayDescription',
  'tags',
  'rules'
] as const
const KNOWN = new Set<string>([...REQUIRED, ...OPTIONAL])

/** Stark rejects 10^15 and documents no exact ceiling; this is the first rejected value. */
const AMOUNT_CEILING = 10 ** 15
/**
 * A datetime a little in the past is still accepted: a client that schedules "now" reaches the
 * emulator a moment later, and Stark's check is meant against yesterday, not against network latency.
 */
const SCHEDULE_TOLERANCE_MS = 60_000

// 8-digit ISPB (Pix) or a 1–3 digit bank number (TED).
const BANK_CODE = /^\d{1,3}$|^\d{8}$/
const BRANCH_CODE = /^\d{1,4}(-\d)?$/
const ACCOUNT_NUMBER = /^\d{1,20}(-[\dxX])?$/
// Stark documents no alphabet for externalId; printable ASCII without spaces avoids false rejections.
const EXTERNAL_ID = /^[\x21-\x7e]{1,64}$/
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const DATETIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/

/** The fields a client sets when creating a transfer, validated and with Stark's defaults. */
export interface TransferInput extends Pick<
  Transfer,
  'amount' | 'name' | 'taxId' | 'bankCode' | 'branchCode' | 'accountNumber' | 'accountType'
> {
  /** Undefined when the client sent none: the same-day receiver filter applies instead. */
  externalId: string | undefined
  /** Epoch ms the transfer may run at; undefined means now. */
  scheduledMs: number | undefined
  /** The stored `scheduled` text when the client sent one. */
  scheduled: string | undefined
  description: string
  displayDescription: string
  tags: string[]
  rules: Transfer['rules']
}

export type Checked =
  { ok: true; input: TransferInput } | { ok: false; code: string; message: string }

const fail = (code: string, message: string): Checked => ({ ok: false, code, message })

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const quote = showValue

export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10)

/** Parses `scheduled`; `now` is emulator time. Returns epoch ms and the text to store. */
function parseScheduled(raw: unknown, now: number): { ms: number; text: string } | Checked {
  if (typeof raw !== 'string')
    return fail('invalidDateTime', `scheduled must be a date or datetime string, got ${quote(raw)}`)
  const date = DATE.exec(raw)
  if (date) {
    const ms = Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]))
    if (Number.isNaN(ms) || utcDay(ms) !== raw)
      return fail('invalidDate', `scheduled ${raw} is not a valid date`)
    if (raw < utcDay(now))
      return fail('invalidDate', `scheduled ${raw} is in the past; today is ${utcDay(now)}`)
    return { ms, text: `${raw}T00:00:00.000000+00:00` }
  }
  const datetime = DATETIME.exec(raw)
  // Date.parse reads at most milliseconds, and Stark sends microseconds.
  const offset = datetime?.[3]?.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')
  const ms = datetime
    ? Date.parse(`${datetime[1]}${(datetime[2] ?? '').slice(0, 4)}${offset}`)
    : NaN
  if (Number.isNaN(ms))
    return fail('invalidDateTime', `scheduled ${raw} is not a valid date or datetime`)
  if (ms < now - SCHEDULE_TOLERANCE_MS) {
    return fail(
      'invalidDateTime',
      `scheduled ${raw} is in the past; now is ${new Date(now).toISOString()}`
    )
  }
  return { ms, text: new Date(ms).toISOString().replace(/Z$/, '000+00:00') }
}

function parseTags(raw: unknown): string[] | undefined {
  if (!Array.isArray(raw) || !raw.every((tag) => typeof tag === 'string')) return undefined
  return raw.map((tag: string) => tag.toLowerCase())
}

function parseRules(raw: unknown): { key: string; value: unknown }[] | Checked {
  if (!Array.isArray(raw)) return fail('invalidRule', `rules must be a list, got ${quote(raw)}`)
  const seen = new Set<string>()
  for (const rule of raw) {
    const valid =
      isObject(rule) &&
      Object.keys(rule).every((k) => k === 'key' || k === 'value') &&
      rule.key === 'resendingLimit' &&
      Number.isInteger(rule.value) &&
      (rule.value as number) >= 0
    if (!valid)
      return fail(
        'invalidRule',
        `rule ${quote(rule)} is not {"key":"resendingLimit","value":<integer>}`
      )
    if (seen.has(rule.key as string))
      return fail('invalidRule', `rule ${String(rule.key)} is repeated`)
    seen.add(rule.key as string)
  }
  return (raw as { key: string; value: unknown }[]).map((rule) => ({
    key: rule.key,
    value: rule.value
  }))
}

const optionalString = (raw: unknown): string | undefined =>
  raw === undefined || raw === null ? '' : typeof raw === 'string' ? raw : undefined

/** Validates one requested transfer; `now` is emulator time. */
export function checkTransfer(raw: unknown, now: number): Checked {
  if (!isObject(raw))
    return fail('invalidJson', `a transfer must be a JSON object, got ${quote(raw)}`)
  const unknown = Object.keys(raw).filter((k) => !KNOWN.has(k))
  if (unknown.length > 0)
    return fail('invalidJson', `unknown transfer parameters: ${unknown.join(', ')}`)
  const missing = REQUIRED.filter((k) => raw[k] === undefined || raw[k] === null)
  if (missing.length > 0)
    return fail('invalidJson', `missing required parameters: ${missing.join(', ')}`)

  const { amount, name, taxId, bankCode, branchCode, accountNumber } = raw
  if (
    typeof amount !== 'number' ||
    !Number.isInteger(amount) ||
    amount <= 0 ||
    amount >= AMOUNT_CEILING
  ) {
    return fail(
      'invalidAmount',
      `amount must be an integer number of cents from 1 to ${AMOUNT_CEILING - 1}, got ${quote(amount)}`
    )
  }
  if (typeof name !== 'string' || name.trim() === '')
    return fail('invalidName', `name must be a non-empty string, got ${quote(name)}`)
  if (!isValidTaxId(taxId))
    return fail('invalidTaxId', `taxId ${quote(taxId)} is not a valid CPF or CNPJ`)
  if (typeof bankCode !== 'string' || !BANK_CODE.test(bankCode)) {
    return fail(
      'invalidBankCode',
      `bankCode must be an 8-digit ISPB (Pix) or a 1 to 3 digit bank code (TED), got ${quote(bankCode)}`
    )
  }
  if (typeof branchCode !== 'string' || !BRANCH_CODE.test(branchCode)) {
    return fail(
      'invalidBranchCode',
      `branchCode must have 1 to 4 digits and an optional check digit, got ${quote(branchCode)}`
    )
  }
  if (typeof accountNumber !== 'string' || !ACCOUNT_NUMBER.test(accountNumber)) {
    return fail(
      'invalidAccountNumber',
      `accountNumber must have 1 to 20 digits and an optional check digit, got ${quote(accountNumber)}`
    )
  }
  const accountType = raw.accountType ?? 'checking'
  if (
    typeof accountType !== 'string' ||
    !(ACCOUNT_TYPES as readonly string[]).includes(accountType)
  ) {
    return fail(
      'invalidAccountType',
      `accountType must be one of ${ACCOUNT_TYPES.join(', ')}, got ${quote(accountType)}`
    )
  }
  const externalId = raw.externalId ?? undefined
  if (
    externalId !== undefined &&
    (typeof externalId !== 'string' || !EXTERNAL_ID.test(externalId))
  ) {
    return fail(
      'invalidExternalId',
      `externalId must be a string of 1 to 64 printable characters without spaces, got ${quote(externalId)}`
    )
  }

  let scheduledMs: number | undefined
  let scheduled: string | undefined
  if (raw.scheduled !== undefined && raw.scheduled !== null) {
    const parsed = parseScheduled(raw.scheduled, now)
    if ('ok' in parsed) return parsed
    scheduledMs = parsed.ms
    scheduled = parsed.text
  }

  const description = optionalString(raw.description)
  if (description === undefined)
    return fail('invalidJson', `description must be a string, got ${quote(raw.description)}`)
  const displayDescription = optionalString(raw.displayDescription)
  if (displayDescription === undefined) {
    return fail(
      'invalidJson',
      `displayDescription must be a string, got ${quote(raw.displayDescription)}`
    )
  }
  const tags = raw.tags === undefined || raw.tags === null ? [] : parseTags(raw.tags)
  if (tags === undefined)
    return fail('invalidJson', `tags must be a list of strings, got ${quote(raw.tags)}`)
  const rules = raw.rules === undefined || raw.rules === null ? [] : parseRules(raw.rules)
  if ('ok' in rules) return rules

  return {
    ok: true,
    input: {
      amount,
      name,
      taxId,
      bankCode,
      branchCode,
      accountNumber,
      accountType,
      externalId: externalId as string | undefined,
      scheduledMs,
      scheduled,
      description,
      displayDescription,
      tags,
      rules
    }
  }
}

/**
 * The key of Stark's default duplicate filter: without an externalId, the same amount to the same
 * account on the same date is taken as an accidental repeat.
 */
export function receiverDayKey(
  t: { amount: number; bankCode: string; branchCode: string; accountNumber: string },
  day: string
): string {
  return [day, t.amount, t.bankCode, t.branchCode, t.accountNumber].join('|')
}
