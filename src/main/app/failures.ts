/**
 * Turns what the runtime throws into the `{ ok: false, code, message }` a front end shows: an
 * `AppError` keeps its code; Stark's refusals and network failures get one; anything else is a bug
 * and stays thrown. Every message crossing to a front end passes `redactSecrets` first.
 */
import { fail, type Result } from '../../shared/contract'
import { isAppError, type ErrorCode } from '../../shared/errors'
import { redactSecrets } from './redact'

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_NETWORK'
])

interface StarkLike {
  status?: number
  code?: string
  errors?: { code?: string; message?: string }[]
}

export function failureOf(error: unknown): { code: ErrorCode; message: string } | undefined {
  if (isAppError(error)) return { code: error.code, message: error.message }
  const e = (error ?? {}) as StarkLike
  if (typeof e.status === 'number' && Array.isArray(e.errors)) {
    const codes = e.errors.map((x) => String(x.code))
    const text = e.errors.map((x) => x.message ?? x.code).join('; ')
    if (codes.includes('invalidRoute'))
      return {
        code: 'unavailable',
        message: `This Stark does not serve that yet (${text}). Update the emulator, or use the real sandbox.`
      }
    if (e.status === 404 || /not found/i.test(text))
      return { code: 'not_found', message: `Stark has no such record: ${text}.` }
    return { code: 'stark_refused', message: `Stark refused: ${text}. Nothing was changed.` }
  }
  if (typeof e.status === 'number' && e.status >= 500)
    return {
      code: 'unavailable',
      message: `Stark answered ${e.status} (an internal error). Try again in a moment.`
    }
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code))
    return {
      code: 'unavailable',
      message: `Stark cannot be reached (${e.code}). Check the network (or that the emulator runs) and try again.`
    }
  return undefined
}

/** Runs `work`; expected failures become `fail(code, message)`, bugs stay thrown. */
export async function guarded<T>(work: () => Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, data: await work() }
  } catch (error) {
    const failure = failureOf(error)
    if (!failure) throw error
    return fail(failure.code, redactSecrets(failure.message))
  }
}
