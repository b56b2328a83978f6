/**
 * The emulator's fault injection, for demos and tests: what the desktop app's toggles and the control
 * API accept. Pure TypeScript (zod), shared by the emulator and the front ends.
 */
import { z } from 'zod'

const probability = z.number().min(0).max(1)

/** Each fault's range, without a default: a patch names only what it changes. */
const faultFields = {
  /** Probability that a delivery is sent twice. */
  duplicateDeliveries: probability,
  /** Random real-time delay (ms) before each delivery, which reorders them. */
  shuffleWindowMs: z.number().int().min(0).max(60_000),
  /** Probability that a delivery never reaches the receiver (recorded as a timeout, retried). */
  dropDeliveries: probability,
  /** Real-time latency (ms) added to every API answer. */
  latencyMs: z.number().int().min(0).max(60_000),
  /** Probability that an API call answers 500; half of those fail after the work was done. */
  apiErrorRate: probability
}

/** The whole set of faults; what is not given is off. */
export const faultsSchema = z
  .object({
    duplicateDeliveries: faultFields.duplicateDeliveries.default(0),
    shuffleWindowMs: faultFields.shuffleWindowMs.default(0),
    dropDeliveries: faultFields.dropDeliveries.default(0),
    latencyMs: faultFields.latencyMs.default(0),
    apiErrorRate: faultFields.apiErrorRate.default(0)
  })
  .strict()

/**
 * A change to some faults, the others kept. Not `faultsSchema.partial()`: zod keeps each field's
 * default there, so a patch of one fault would turn every other one off.
 */
export const faultsPatchSchema = z.object(faultFields).partial().strict()

export type Faults = z.infer<typeof faultsSchema>
