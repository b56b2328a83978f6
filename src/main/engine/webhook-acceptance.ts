/**
 * The webhook server's acceptance rule as pure functions (no I/O), so every branch is unit-tested
 * without a socket. The server asks, in order: may I read this body at all (`precheckDelivery`), is
 * this request worth verifying (`classifyDelivery`), and, only once the signature over the raw
 * bytes checked out, is it an event we understand (`parseVerifiedEvent`). JSON is never parsed
 * before the signature is verified: bytes from an unverified sender stay opaque (pitfalls.md,
 * mistake 1).
 *
 * Status codes: Stark retries anything but 200 (three times, then gives up), so a rejection only
 * has to be a non-200. 4xx says "the request is wrong"; 5xx (decided by the server, not here) says
 * "try later".
 */
import { createHash, timingSafeEqual } from 'node:crypto'

export type Rejection = { kind: 'reject'; status: number; reason: string }
export type Verdict = Rejection | { kind: 'verify' }

/** An event whose signature checked out and whose shape the engine can route. */
export interface VerifiedEvent {
  id: string
  subscription: string
  created?: string
  workspaceId?: string
  /** Still untrusted in shape beyond `type`: the pipeline validates what it reads from it. */
  log: { type: string } & Record<string, unknown>
}

export type ParsedEvent = { ok: true; event: VerifiedEvent } | { ok: false; reason: string }

export interface DeliveryHead {
  /** The declared Content-Length header, if any (absent for chunked bodies). */
  contentLength: string | number | undefined
  maxBodyBytes: number
}

export interface Delivery extends DeliveryHead {
  method: string | undefined
  /** The request target as received (`req.url`), query included. */
  path: string | undefined
  expectedPath: string
  /** Bytes actually read. */
  bodyBytes: number
  signature: string | string[] | undefined
}

const PREVIEW_BYTES = 200

/** Parses a Content-Length header; anything but a plain decimal counts as absent. */
export function declaredLength(contentLength: string | number | undefined): number | undefined {
  if (typeof contentLength === 'number')
    return Number.isSafeInteger(contentLength) ? contentLength : undefined
  if (typeof contentLength !== 'string' || !/^\d+$/.test(contentLength.trim())) return undefined
  const value = Number(contentLength.trim())
  return Number.isSafeInteger(value) ? value : undefined
}

function tooLarge(bytes: number, max: number): Rejection {
  return {
    kind: 'reject',
    status: 413,
    reason: `body of ${bytes} bytes exceeds the ${max}-byte limit`
  }
}

/**
 * Decided before reading: a declared body over the limit is refused without reading a byte of it.
 * Returns undefined when the body may be read (the limit is still enforced while streaming).
 */
export function precheckDelivery(head: DeliveryHead): Rejection | undefined {
  const declared = declaredLength(head.contentLength)
  if (declared !== undefined && declared > head.maxBodyBytes)
    return tooLarge(declared, head.maxBodyBytes)
  return undefined
}

/**
 * Whether the request path is the secret webhook path. The secret segment is the only thing keeping
 * strangers on the public tunnel from reaching the verifier, so it is compared in constant time;
 * both sides are hashed first so the buffers have equal length and the secret's length does not
 * leak either.
 */
export function pathMatches(path: string | undefined, expectedPath: string): boolean {
  if (typeof path !== 'string') return false
  const query = path.indexOf('?')
  const bare = query === -1 ? path : path.slice(0, query)
  return timingSafeEqual(digest(bare), expectedDigest(expectedPath))
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest()

/** The server asks with the same expected path every time: its digest is computed once. */
let lastExpected: { path: string; digest: Buffer } | undefined
function expectedDigest(expectedPath: string): Buffer {
  if (lastExpected?.path !== expectedPath)
    lastExpected = { path: expectedPath, digest: digest(expectedPath) }
  return lastExpected.digest
}

/** The one Digital-Signature value, or undefined when absent or repeated. */
export function signatureHeader(signature: string | string[] | undefined): string | undefined {
  // Node joins repeated custom headers; an array from another front-end is ambiguous.
  if (Array.isArray(signature)) return signature.length === 1 ? signature[0] : undefined
  return signature
}

/**
 * Decided after the body was read, before any cryptography. The path comes first so that a request
 * without the secret learns nothing else (not even which methods exist).
 */
export function classifyDelivery(delivery: Delivery): Verdict {
  if (!pathMatches(delivery.path, delivery.expectedPath)) {
    return { kind: 'reject', status: 404, reason: 'not the webhook path' }
  }
  if (delivery.method !== 'POST') {
    return { kind: 'reject', status: 405, reason: `method ${String(delivery.method)} is not POST` }
  }
  const early = precheckDelivery(delivery)
  if (early) return early
  if (delivery.bodyBytes > delivery.maxBodyBytes)
    return tooLarge(delivery.bodyBytes, delivery.maxBodyBytes)
  if (delivery.bodyBytes === 0) return { kind: 'reject', status: 400, reason: 'empty body' }
  const signature = signatureHeader(delivery.signature)
  if (signature === undefined || signature.trim() === '') {
    return { kind: 'reject', status: 401, reason: 'no Digital-Signature header' }
  }
  return { kind: 'verify' }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const nonEmptyString = (value: unknown): value is string =>
  typeof value === 'string' && value !== ''

/** Reusable: without `stream`, each decode() starts afresh. */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Parses a body whose signature already verified. A valid signature over a body that is not an
 * event (Stark never sends one, but a compromised or misconfigured sender could) is still rejected:
 * the engine must never act on a half-understood delivery.
 */
export function parseVerifiedEvent(raw: Buffer): ParsedEvent {
  let text: string
  try {
    // Stark sends ASCII (Python's ensure_ascii): invalid UTF-8 cannot be Stark's JSON.
    text = STRICT_UTF8.decode(raw)
  } catch {
    return { ok: false, reason: 'body is not UTF-8' }
  }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch (error) {
    return { ok: false, reason: `body is not JSON: ${(error as Error).message}` }
  }
  if (!isObject(body) || !isObject(body.event))
    return { ok: false, reason: 'body has no "event" object' }
  const event = body.event
  if (!nonEmptyString(event.id)) return { ok: false, reason: 'event.id is not a string' }
  if (!nonEmptyString(event.subscription))
    return { ok: false, reason: 'event.subscription is not a string' }
  if (!isObject(event.log) || !nonEmptyString(event.log.type)) {
    return { ok: false, reason: 'event.log is not an object with a string type' }
  }
  return { ok: true, event: event as unknown as VerifiedEvent }
}

/**
 * At most the first 200 bytes, printable ASCII only (others become '.'), so a hostile body can
 * neither flood the live log nor smuggle control characters into it.
 */
export function previewOf(raw: Buffer): string {
  let out = ''
  const end = Math.min(raw.length, PREVIEW_BYTES)
  for (let i = 0; i < end; i++) {
    const byte = raw[i] as number
    out += byte >= 0x20 && byte <= 0x7e ? String.fromCharCode(byte) : '.'
  }
  return out
}
