/** Reading request bodies with a size limit and writing JSON answers. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { StarkError } from './errors'

export class BodyTooLarge extends Error {}

export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0)
    if (declared > limit) {
      reject(new BodyTooLarge())
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        req.removeAllListeners('data')
        reject(new BodyTooLarge())
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

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

/** Parses a JSON body; Stark answers malformed JSON with `invalidJson`. */
export function parseJson(raw: string): unknown {
  if (raw === '') return undefined
  try {
    return JSON.parse(raw) as unknown
  } catch {
    throw StarkError.of('invalidJson', 'The request body is not valid JSON')
  }
}
