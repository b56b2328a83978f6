/**
 * The plan form's fields as text (what the inputs hold) and their conversion to a plan: minutes
 * to milliseconds, reais to integer cents. Pure, so it is unit-tested without a DOM.
 */
import { formatBRL } from '../../../../shared/money'
import { planSchema, type PlanInput } from '../../../../shared/plan'
import { parseBRLToCents } from '../../lib/format'

export interface PlanFields {
  batches: string
  intervalMinutes: string
  minInvoices: string
  maxInvoices: string
  minAmount: string
  maxAmount: string
  settleMinutes: string
}

const reais = (cents: number): string => formatBRL(cents).replace(/^R\$\s*/, '')

/** The form's text for a plan (the trial's defaults fill what the plan leaves out). */
export function fieldsOf(input: PlanInput | undefined): PlanFields {
  const plan = planSchema.parse(input ?? {})
  return {
    batches: String(plan.batches),
    intervalMinutes: String(plan.intervalMs / 60_000),
    minInvoices: String(plan.minInvoices),
    maxInvoices: String(plan.maxInvoices),
    minAmount: reais(plan.minAmount),
    maxAmount: reais(plan.maxAmount),
    settleMinutes: String(plan.settleMs / 60_000)
  }
}

export type FieldErrors = Partial<Record<keyof PlanFields | 'form', string>>

function whole(
  text: string,
  label: string,
  [min, max]: [number, number],
  errors: FieldErrors,
  key: keyof PlanFields
): number {
  const value = Number(text.trim())
  if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    errors[key] = `${label}: type a whole number from ${min} to ${max}.`
  }
  return value
}

/** Where a plan rule the form did not check itself lands: the field it is about. */
const FIELD_OF: Record<string, keyof PlanFields> = {
  batches: 'batches',
  intervalMs: 'intervalMinutes',
  minInvoices: 'minInvoices',
  maxInvoices: 'maxInvoices',
  minAmount: 'minAmount',
  maxAmount: 'maxAmount',
  settleMs: 'settleMinutes'
}

/** The plan for `run:start`, or what to fix, field by field. */
export function planOf(fields: PlanFields): { plan: PlanInput } | { errors: FieldErrors } {
  const errors: FieldErrors = {}
  const batches = whole(fields.batches, 'Batches', [1, 1000], errors, 'batches')
  const interval = Number(fields.intervalMinutes.trim().replace(',', '.'))
  if (!(interval >= 1 / 60))
    errors.intervalMinutes = 'Interval: type minutes, at least 1 second (0.02).'
  const minInvoices = whole(fields.minInvoices, 'Fewest invoices', [1, 100], errors, 'minInvoices')
  const maxInvoices = whole(fields.maxInvoices, 'Most invoices', [1, 100], errors, 'maxInvoices')
  // Said in the labels the user reads, on the field to change (not the schema's field names).
  if (!errors.minInvoices && !errors.maxInvoices && minInvoices > maxInvoices)
    errors.maxInvoices = 'Most invoices must be at least Fewest invoices.'
  const settle = Number(fields.settleMinutes.trim().replace(',', '.'))
  if (!(settle >= 0)) errors.settleMinutes = 'Settle: type minutes (0 or more).'
  const minAmount = parseBRLToCents(fields.minAmount)
  if ('error' in minAmount) errors.minAmount = `Smallest amount: ${minAmount.error}`
  const maxAmount = parseBRLToCents(fields.maxAmount)
  if ('error' in maxAmount) errors.maxAmount = `Largest amount: ${maxAmount.error}`
  else if ('cents' in minAmount && minAmount.cents > maxAmount.cents)
    errors.maxAmount = 'Largest amount must be at least Smallest amount.'
  if (Object.keys(errors).length > 0) return { errors }

  const plan: PlanInput = {
    batches,
    intervalMs: Math.round(interval * 60_000),
    minInvoices,
    maxInvoices,
    minAmount: (minAmount as { cents: number }).cents,
    maxAmount: (maxAmount as { cents: number }).cents,
    settleMs: Math.round(settle * 60_000)
  }
  const checked = planSchema.safeParse(plan)
  if (!checked.success) {
    // A rule this form does not know yet: still shown on its field when it names one.
    const out: FieldErrors = {}
    for (const issue of checked.error.issues) {
      const key = FIELD_OF[String(issue.path[0])] ?? 'form'
      out[key] = `This value is not accepted: ${issue.message}.`
    }
    return { errors: out }
  }
  return { plan }
}
