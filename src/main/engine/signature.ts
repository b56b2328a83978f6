/**
 * Checks Stark's `Digital-Signature` header (base64 DER ECDSA secp256k1 over SHA-256) against the
 * exact bytes that arrived. Verifying the raw Buffer, never a re-serialized object, is the point:
 * Stark signs Python's `json.dumps` output, and any re-stringified copy fails (shared/stark-api.md
 * §4).
 *
 * It mirrors `starkbank.event.parse`: the key is fetched lazily and cached, and a failed check
 * refetches it once (Stark may have rotated it) before answering 'invalid'. Unlike the SDK,
 * refetches are rate limited by the injected clock, so a flood of forged deliveries costs at most
 * one public-key request per interval, and node:crypto does the maths (about 6x faster than the
 * SDK's pure-JS ECDSA).
 */
import { createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto'
import type { Clock } from '../time/clock'

export type SignatureVerdict = 'valid' | 'invalid'

export interface SignatureVerifier {
  /** Throws only when the key cannot be fetched; the caller should then answer 5xx. */
  verify(raw: Buffer, signature: string | undefined): Promise<SignatureVerdict>
  /** The cached key (SPKI PEM), if one was fetched; shown in diagnostics. */
  publicKeyPem(): string | undefined
}

export interface SignatureVerifierOptions {
  /** Stark's current public key as PEM; the engine passes StarkClient.fetchPublicKey. */
  fetchPublicKey: () => Promise<string>
  clock: Clock
  /** Least clock time between two refetches, and before retrying a failed first fetch. */
  minRefetchIntervalMs?: number
}

interface CachedKey {
  pem: string
  key: KeyObject
}

/** A DER ECDSA secp256k1 signature is at most 72 bytes (96 base64 chars); longer is not Stark's. */
const MAX_SIGNATURE_CHARS = 512
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

/** Decodes a strict, padded base64 header: lenient decoding would let garbage reach the check. */
export function decodeSignature(signature: string | undefined): Buffer | undefined {
  if (typeof signature !== 'string') return undefined
  const text = signature.trim()
  if (text === '' || text.length > MAX_SIGNATURE_CHARS) return undefined
  if (text.length % 4 !== 0 || !BASE64.test(text)) return undefined
  const bytes = Buffer.from(text, 'base64')
  return bytes.length === 0 ? undefined : bytes
}

/**
 * Runs on libuv's thread pool (the callback form of crypto.verify). ECDSA is the costliest step of a
 * delivery: on the event loop it would stall every other request, the journal's writes and the
 * engine's timers while it computes, and leave the second core idle. Same bytes, same key, same
 * answer as the synchronous call.
 */
function checks(raw: Buffer, signature: Buffer, key: KeyObject): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      cryptoVerify('sha256', raw, key, signature, (error, valid) => resolve(!error && valid))
    } catch {
      // A signature that is not valid DER makes OpenSSL throw on some builds; it is simply not valid.
      resolve(false)
    }
  })
}

function fetchFailure(cause: unknown): Error {
  const detail = cause instanceof Error ? cause.message : String(cause)
  return new Error(
    `Could not get Stark's public key to check a webhook signature (${detail}). Check the ` +
      'network connection and the Stark credentials; the delivery was answered with an error, ' +
      'so Stark retries it.',
    { cause }
  )
}

export function createSignatureVerifier(options: SignatureVerifierOptions): SignatureVerifier {
  const { fetchPublicKey, clock } = options
  const minInterval = options.minRefetchIntervalMs ?? 10_000
  let cached: CachedKey | undefined
  let inFlight: Promise<CachedKey> | undefined
  let lastRefetchAt: number | undefined
  let lastFailure: { at: number; error: Error } | undefined

  /** One fetch at a time: concurrent callers share it, so N failures cost one request. */
  function fetchKey(): Promise<CachedKey> {
    if (inFlight) return inFlight
    inFlight = (async () => {
      let pem: string
      let key: KeyObject
      try {
        pem = await fetchPublicKey()
        key = createPublicKey(pem)
      } catch (cause) {
        const error = fetchFailure(cause)
        lastFailure = { at: clock.now(), error }
        throw error
      }
      lastFailure = undefined
      cached = { pem, key }
      return cached
    })().finally(() => {
      inFlight = undefined
    })
    return inFlight
  }

  function withinInterval(at: number | undefined): boolean {
    return at !== undefined && clock.now() - at < minInterval
  }

  async function currentKey(): Promise<CachedKey> {
    if (cached) return cached
    if (inFlight) return inFlight
    // Without a key every delivery would fetch: after a failure, fail fast for one interval.
    if (lastFailure && withinInterval(lastFailure.at)) throw lastFailure.error
    return fetchKey()
  }

  /** The key to retry with after `used` failed, or undefined when no new key may be fetched yet. */
  async function refreshedKey(used: CachedKey): Promise<CachedKey | undefined> {
    // Someone else refetched while we were checking: retry with theirs instead of fetching again.
    if (cached && cached !== used) return cached
    if (inFlight) return inFlight
    if (withinInterval(lastRefetchAt)) return undefined
    lastRefetchAt = clock.now()
    return fetchKey()
  }

  return {
    async verify(raw, signature) {
      const bytes = decodeSignature(signature)
      // No refetch for a header that cannot be a signature: a new key would not change the answer.
      if (!bytes) return 'invalid'
      const first = await currentKey()
      if (await checks(raw, bytes, first.key)) return 'valid'
      const second = await refreshedKey(first)
      // The same key again would give the same answer; skip the second check.
      if (!second || second.pem === first.pem) return 'invalid'
      return (await checks(raw, bytes, second.key)) ? 'valid' : 'invalid'
    },
    publicKeyPem: () => cached?.pem
  }
}
