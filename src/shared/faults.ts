/**
 * The emulator's fault injection, for demos and tests: what the desktop app's toggles and the control
 * API accept. Pure TypeScript (zod), shared by the emulator and the front ends.
 */
import { z } from 'zod'

const probability = z.number().min(0).max(1)

export const faultsSchema = z
  .object({
    /** Probability that a delivery is sent twice. */
    duplicateDeliveries: probability.default(0),
    /** Random real-time delay (ms) before each delivery, which reorders them. */
    shuffleWindowMs: z.number().int().min(0).max(60_000).default(0),
    /** Probability that a delivery never reaches the receiver (recorded as a timeout, retried). */
    dropDeliveries: probability.default(0),
    /** Real-time latency (ms) added to every API answer. */
    latencyMs: z.number().int().min(0).max(60_000).default(0),
    /** Probability that an API call answers 500; half of those fail after the work was done. */
    apiErrorRate: probability.default(0)
  })
  .strict()

export type Faults = z.infer<typeof faultsSchema>
