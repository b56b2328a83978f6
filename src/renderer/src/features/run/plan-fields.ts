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
  min: number,
  errors: FieldErrors,
  key: keyof PlanFields
): number {
  const value = Number(text.trim())
  if (text.trim() === '' || !Number.isInteger(value) || value < min) {
    errors[key] = `${label}: type a whole number of at least ${min}.`
  }
  return value
}

/** The plan for `run:start`, or what to fix, field by field. */
export function planOf(fields: PlanFields): { plan: PlanInput } | { errors: FieldErrors } {
  const errors: FieldErrors = {}
  const batches = whole(fields.batches, 'Batches', 1, errors, 'batches')
  const interval = Number(fields.intervalMinutes.trim().replace(',', '.'))
  if (!(interval >= 1 / 60))
    errors.intervalMinutes = 'Interval: type minutes, at least 1 second (0.02).'
  const minInvoices = whole(fields.minInvoices, 'Fewest invoices', 1, errors, 'minInvoices')
  const maxInvoices = whole(fields.maxInvoices, 'Most invoices', 1, errors, 'maxInvoices')
  const settle = Number(fields.settleMinutes.trim().replace(',', '.'))
  if (!(settle >= 0)) errors.settleMinutes = 'Settle: type minutes (0 or more).'
  const minAmount = parseBRLToCents(fields.minAmount)
  if ('error' in minAmount) errors.minAmount = `Smallest amount: ${minAmount.error}`
  const maxAmount = parseBRLToCents(fields.maxAmount)
  if ('error' in maxAmount) errors.maxAmount = `Largest amount: ${maxAmount.error}`
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
    return { errors: { form: checked.error.issues.map((i) => i.message).join('; ') } }
  }
  return { plan }
}
