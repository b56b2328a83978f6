/**
 * The trial's plan: 8 batches, one every 3 hours from the run's start, each of 8 to 12 invoices, then
 * the run is complete. Every number is configurable; sizes are drawn once when the run starts and
 * persisted, so a restart never re-randomizes a batch.
 */
import { z } from 'zod'

const HOUR_MS = 3_600_000

export const planSchema = z
  .object({
    batches: z.number().int().min(1).max(1000).default(8),
    intervalMs: z
      .number()
      .int()
      .min(1000)
      .default(3 * HOUR_MS),
    minInvoices: z.number().int().min(1).max(100).default(8),
    maxInvoices: z.number().int().min(1).max(100).default(12),
    /** Invoice amounts in integer cents, drawn uniformly. */
    minAmount: z.number().int().min(1).default(1_000),
    maxAmount: z.number().int().min(1).max(100_000_000).default(100_000),
    /** Invoice due, in ms after issue; unset uses Stark's default (2 days). */
    dueMs: z.number().int().min(60_000).optional(),
    /** How long after the last batch the run waits for payments before it reports. */
    settleMs: z
      .number()
      .int()
      .min(0)
      .default(2 * HOUR_MS)
  })
  .refine((p) => p.minInvoices <= p.maxInvoices, {
    message: 'minInvoices must not exceed maxInvoices'
  })
  .refine((p) => p.minAmount <= p.maxAmount, { message: 'minAmount must not exceed maxAmount' })

export type Plan = z.infer<typeof planSchema>
export type PlanInput = z.input<typeof planSchema>

/** Where credited money goes: by default, Stark Bank S.A., as the trial asks. */
export const destinationSchema = z.object({
  name: z.string().min(1).default('Stark Bank S.A.'),
  bankCode: z
    .string()
    .regex(/^\d{3}$|^\d{8}$/)
    .default('20018183'),
  branchCode: z.string().default('0001'),
  accountNumber: z.string().default('6341320293482496'),
  taxId: z.string().default('20.018.183/0001-80'),
  accountType: z.enum(['checking', 'payment', 'savings', 'salary']).default('payment')
})

export type Destination = z.infer<typeof destinationSchema>

export const DEFAULT_DESTINATION: Destination = destinationSchema.parse({})

/** A one-click invoice: optional payer name and amount in integer cents. */
export const oneInvoiceSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    amount: z.number().int().min(1).max(100_000_000).optional()
  })
  .strict()
