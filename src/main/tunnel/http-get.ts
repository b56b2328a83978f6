/**
 * The one kind of outgoing request the tunnel manager makes (asking the tunnel service for a tunnel,
 * probing the public URL): a GET with a hard deadline and a bounded body. Injected, so tests can
 * resolve test host names and count calls; this default uses node:http(s) directly because the
 * localtunnel client's own setup (axios, retried every second forever) cannot be bounded.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { LookupFunction } from 'node:net'

export interface HttpResponse {
  status: number
  headers: IncomingHttpHeaders
  /** At most `maxBodyBytes` of the body, as UTF-8. */
  body: string
}

export interface HttpGetOptions {
  headers?: Record<string, string>
  /** Whole-request deadline in real milliseconds: connect, answer and body. */
  timeoutMs: number
}

export type HttpGet = (url: string, options: HttpGetOptions) => Promise<HttpResponse>

/** Raised for a request that got no HTTP answer; `code` is Node's (ECONNREFUSED...) or ETIMEDOUT. */
export class HttpGetError extends Error {
  constructor(
    message: string,
    readonly code: string
  ) {
    super(message)
    this.name = 'HttpGetError'
  }
}

export function nodeHttpGet(
  settings: { lookup?: LookupFunction; maxBodyBytes?: number } = {}
): HttpGet {
  const maxBodyBytes = settings.maxBodyBytes ?? 64 * 1024
  return (url, options) =>
    new Promise<HttpResponse>((resolve, reject) => {
      const target = new URL(url)
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest
      let settled = false
      const fail = (error: HttpGetError): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        req.destroy()
        reject(error)
      }
      // A fresh connection each time: a pooled socket to a tunnel that just died would lie.
      const req = send(target, {
        method: 'GET',
        agent: false,
        headers: { Connection: 'close', ...options.headers },
        ...(settings.lookup ? { lookup: settings.lookup } : {})
      })
      const timer = setTimeout(
        () =>
          fail(
            new HttpGetError(
              `no answer within ${Math.round(options.timeoutMs / 1000)} s`,
              'ETIMEDOUT'
            )
          ),
        options.timeoutMs
      )
      req.once('error', (error: NodeJS.ErrnoException) =>
        fail(new HttpGetError(error.message, error.code ?? 'ECONNRESET'))
      )
      req.once('response', (res) => {
        const chunks: Buffer[] = []
        let bytes = 0
        res.on('data', (chunk: Buffer) => {
          if (bytes >= maxBodyBytes) return
          chunks.push(chunk)
          bytes += chunk.length
          if (bytes >= maxBodyBytes) res.destroy()
        })
        const done = (): void => {
          if (settled) return
          settled = true
          clearTimeout(timer)
          const body = Buffer.concat(chunks).subarray(0, maxBodyBytes).toString('utf8')
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body })
        }
        res.once('end', done)
        res.once('close', done)
        res.once('error', done)
      })
      req.end()
    })
}
