/**
 * Every number of the emulated sandbox's behaviour. Stark documents few of them (shared/stark-api.md
 * §5, §7), so the defaults are chosen to look like the observed sandbox and each one can be changed.
 */
import { z } from 'zod'
import { faultsSchema, type Faults } from '../../shared/faults'

const probability = z.number().min(0).max(1)
const seconds = z.number().min(0)

export const sandboxBehaviourSchema = z.object({
  /** Share of new invoices the sandbox pays by itself ("most of them"). */
  autoPayRatio: probability.default(0.8),
  /** Delay from creation to the `paid` log, drawn uniformly. */
  payDelaySeconds: z.tuple([seconds, seconds]).default([30, 600]),
  /** Delay from `paid` to `credited`. */
  creditDelaySeconds: z.tuple([seconds, seconds]).default([5, 90]),
  /** Invoice fee in cents set on `credited`; non-zero so that "amount minus fees" is exercised. */
  invoiceFee: z.number().int().min(0).default(50),
  /** Transfer fee in cents (Pix to Stark was 0 in 2023). */
  transferFee: z.number().int().min(0).default(0),
  transferProcessingDelaySeconds: seconds.default(2),
  transferSettleDelaySeconds: seconds.default(5),
  /** Retries after a failed delivery, in minutes of emulator time (Stark: 5, 30, 120). */
  retryMinutes: z.array(z.number().min(0)).default([5, 30, 120]),
  /** Whether 2xx other than 200 count as delivered (Stark documents 200). */
  acceptAny2xx: z.boolean().default(false),
  /** Real-time limit for one webhook POST. */
  deliveryTimeoutMs: z.number().int().min(1).default(10_000),
  /** Accepted skew of the SDK's Access-Time against the wall clock. */
  accessTimeToleranceSeconds: seconds.default(600),
  /** How far in the past an invoice `due` may be. */
  pastDueToleranceSeconds: seconds.default(3600),
  maxBodyBytes: z
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024)
})

export type SandboxBehaviour = z.infer<typeof sandboxBehaviourSchema>

export { faultsSchema, type Faults }

export const NO_FAULTS: Faults = faultsSchema.parse({})
