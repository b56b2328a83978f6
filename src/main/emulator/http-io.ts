/** Reading request bodies within a limit, and writing JSON and binary answers. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { StarkError } from './errors'

export class BodyTooLarge extends Error {}

/**
 * What the head says about the body to come: its declared length, 1 for a chunked body of unknown
 * length (at least one byte may come; `readBody` enforces the limit as it reads), 0 for none. Lets
 * a request be refused before a byte of its body is read.
 */
export function declaredBodyBytes(req: IncomingMessage): number {
  if (req.headers['transfer-encoding'] !== undefined) return 1
  const length = Number(req.headers['content-length'] ?? 0)
  return Number.isFinite(length) && length >= 0 ? length : Infinity
}

export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0)
    if (declared > limit) {
      reject(new BodyTooLarge())
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      if (size > limit) {
        req.off('data', onData)
        req.pause()
        reject(new BodyTooLarge())
        return
      }
      chunks.push(chunk)
    }
    req.on('data', onData)
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

/** Whether the server should close the connection after answering (the body was not read). */
export const bodyUnread = (req: IncomingMessage): boolean => !req.complete

export function sendJson(res: ServerResponse, status: number, body: unknown, close = false): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...(close ? { Connection: 'close' } : {})
  })
  res.end(text)
}

export function sendError(res: ServerResponse, error: StarkError, close = false): void {
  sendJson(res, error.status, error.body, close)
}

/** Bytes with their media type, as the qrcode and pdf routes answer (starkcore reads raw bytes). */
export class BinaryBody {
  constructor(
    readonly contentType: string,
    readonly bytes: Buffer
  ) {}
}

export function sendBinary(res: ServerResponse, body: BinaryBody): void {
  res.writeHead(200, {
    'Content-Type': body.contentType,
    'Content-Length': body.bytes.length
  })
  res.end(body.bytes)
}

/**
 * Stark bodies nest a few levels ({"invoices":[{"discounts":[{...}]}]}); this leaves ample room.
 * Deeper bodies are refused before parsing: the validators and `structuredClone` recurse, and a
 * 20,000-level array overflowed the stack in an error message (a 500 instead of a 400).
 */
export const MAX_JSON_DEPTH = 64

/** How deep `raw` nests arrays and objects, counting no further than `stopAt` (strings skipped). */
export function jsonDepth(raw: string, stopAt = Infinity): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < raw.length; i++) {
    const ch = raw.charCodeAt(i)
    if (inString) {
      if (ch === 0x5c)
        i++ // backslash: skip the escaped character
      else if (ch === 0x22) inString = false
    } else if (ch === 0x22) inString = true
    else if (ch === 0x5b || ch === 0x7b) {
      depth++
      if (depth > deepest) deepest = depth
      if (deepest > stopAt) return deepest
    } else if (ch === 0x5d || ch === 0x7d) depth--
  }
  return deepest
}

/** Parses a JSON body; Stark answers malformed JSON with `invalidJson`. */
export function parseJson(raw: string): unknown {
  if (raw === '') return undefined
  if (jsonDepth(raw, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw StarkError.of(
      'invalidJson',
      `The request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep; Stark's requests need a few.`
    )
  }
  try {
    return JSON.parse(raw) as unknown
  } catch {
    throw StarkError.of('invalidJson', 'The request body is not valid JSON')
  }
}
