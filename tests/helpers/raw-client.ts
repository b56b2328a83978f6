/** Raw signed HTTP calls, for what the SDK cannot send (float Access-Time, bad bodies, wrong keys). */
import { sign } from 'node:crypto'
import { request } from 'node:http'

export interface RawResponse {
  status: number
  body: unknown
  text: string
}

export function rawRequest(
  url: string,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {}
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      { method, headers: { 'Content-Type': 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          let parsed: unknown
          try {
            parsed = JSON.parse(text)
          } catch {
            parsed = undefined
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, text })
        })
      }
    )
    req.on('error', reject)
    if (body !== undefined) req.write(body)
    req.end()
  })
}

/** Signs like the SDK: ECDSA secp256k1 over `accessId:accessTime:body`. */
export function signedHeaders(
  projectId: string,
  privatePem: string,
  body: string,
  accessTime: string = String(Math.round(Date.now() / 1000))
): Record<string, string> {
  const accessId = `project/${projectId}`
  const signature = sign(
    'sha256',
    Buffer.from(`${accessId}:${accessTime}:${body}`),
    privatePem
  ).toString('base64')
  return { 'Access-Id': accessId, 'Access-Time': accessTime, 'Access-Signature': signature }
}

export const controlJson = async (
  url: string,
  method: string,
  path: string,
  body?: unknown
): Promise<RawResponse> =>
  rawRequest(url, method, path, body === undefined ? undefined : JSON.stringify(body))
