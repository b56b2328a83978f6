/**
 * Delay before the next try after `failures` consecutive failures: exponential, capped, with "equal
 * jitter" (half fixed, half random). The fixed half is why a flapping tunnel can never reconnect in a
 * tight loop (hosted localtunnel rate-limits restart scripts that do); the random half keeps many
 * installations that lost the same server from coming back in lockstep.
 *
 * Hand-written (five lines) rather than `exponential-backoff`: that library runs its own setTimeout
 * loop, and the manager's waits must run on the injected clock so tests can step them.
 */
export interface BackoffPolicy {
  baseMs: number
  maxMs: number
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 60_000 }

export function backoffDelay(
  failures: number,
  random: () => number,
  policy: BackoffPolicy = DEFAULT_BACKOFF
): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, failures - 1))
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}
