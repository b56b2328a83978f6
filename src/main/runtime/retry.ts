/**
 * Retrying calls whose failure may be transient (a 500, a reset connection, a DNS hiccup) with
 * exponential backoff and jitter, and turning what is left into an AppError that says what to do.
 * Startup registration and the final check go through here: one transient 500 must not end a run
 * (it did, in 138 of 237 CLI starts, with a raw JSON message).
 */
import { backOff } from 'exponential-backoff'
import { AppError, isAppError } from '../../shared/errors'

export interface RetryOptions {
  /** Attempts in all, the first included (default 6: about 6 s of waiting at most). */
  attempts?: number
  firstDelayMs?: number
  maxDelayMs?: number
  /** Told before each new attempt, in words: "registering the webhook: Stark answered 500; ..." */
  onRetry?: (message: string) => void
  /** Stops retrying once aborted (the runtime is stopping). */
  signal?: AbortSignal
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET'
])

type ErrorShape = {
  status?: number
  errors?: { code?: string; message?: string }[]
  code?: string
  message?: string
  response?: { status?: number }
  cause?: { code?: string }
}

/** The network error code of a failed call (axios or fetch), if it was one. */
export function networkCode(error: unknown): string | undefined {
  const e = error as ErrorShape | undefined
  const code = e?.code ?? e?.cause?.code
  return code && NETWORK_CODES.has(code) ? code : undefined
}

/** Worth another try: Stark's 5xx, a network failure, an unavailable emulator. */
export function isTransient(error: unknown): boolean {
  if (isAppError(error)) return error.code === 'unavailable'
  const e = error as ErrorShape | undefined
  const status = e?.status ?? e?.response?.status
  if (status !== undefined) return status >= 500 || status === 429
  return networkCode(error) !== undefined || /silent|socket hang up/i.test(e?.message ?? '')
}

/** One line for a failed Stark call, never a raw JSON dump. */
export function describeFailure(error: unknown): string {
  if (isAppError(error)) return error.message
  const e = error as ErrorShape | undefined
  const status = e?.status ?? e?.response?.status
  if (status === 400 && Array.isArray(e?.errors))
    return `Stark refused it: ${e.errors.map((x) => `${x.code}: ${x.message}`).join('; ')}`
  if (status !== undefined) return `Stark answered ${status}`
  const code = networkCode(error)
  if (code) return `network failure (${code})`
  return e?.message?.slice(0, 200) ?? String(error)
}

/**
 * Runs `fn`, retrying transient failures. What still fails becomes an AppError: `unavailable` for
 * transient failures that outlasted the attempts, `stark_refused` for a 400, and the error itself
 * when it already is an AppError. `what` names the step for the message ("registering the webhook").
 */
export async function withRetry<T>(
  what: string,
  fn: () => Promise<T>,
  options: RetryOptions = {}
): Promise<T> {
  const attempts = options.attempts ?? 6
  try {
    return await backOff(fn, {
      numOfAttempts: attempts,
      startingDelay: options.firstDelayMs ?? 200,
      maxDelay: options.maxDelayMs ?? 2_000,
      timeMultiple: 2,
      jitter: 'full',
      retry: (error: unknown, attempt: number) => {
        if (options.signal?.aborted || !isTransient(error) || attempt >= attempts) return false
        options.onRetry?.(
          `${what}: ${describeFailure(error)}; trying again (attempt ${attempt + 1} of ${attempts})`
        )
        return true
      }
    })
  } catch (error) {
    throw asAppError(what, error, attempts)
  }
}

export function asAppError(what: string, error: unknown, attempts = 1): AppError {
  if (isAppError(error)) return error as AppError
  const detail = describeFailure(error)
  const e = error as ErrorShape | undefined
  const status = e?.status ?? e?.response?.status
  if (status !== undefined && status >= 400 && status < 500 && status !== 429)
    return new AppError('stark_refused', `${capitalize(what)} failed: ${detail}.`, { cause: error })
  const tries = attempts > 1 && isTransient(error) ? ` (${attempts} tries)` : ''
  return new AppError(
    'unavailable',
    `${capitalize(what)} failed${tries}: ${detail}. Stark or the network is not answering; try again in a moment.`,
    { cause: error }
  )
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1)
