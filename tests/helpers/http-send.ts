/** A real HTTP client for server tests, including senders that misbehave (oversized, streamed). */
import { request, type Agent, type IncomingHttpHeaders } from 'node:http'

export interface Reply {
  status: number
  headers: IncomingHttpHeaders
  body: unknown
  reusedSocket: boolean
}

export interface SendOptions {
  method?: string
  headers?: Record<string, string | number>
  body?: string | Buffer
  /** Streams this many bytes in 1 KiB chunks without a Content-Length (chunked encoding). */
  streamBytes?: number
  /** Declares this Content-Length but sends only the first KiB, as a sender probing the limit. */
  declareBytes?: number
  agent?: Agent
}

/** A real HTTP client that also copes with an answer arriving before the body was fully sent. */
export function send(url: string, options: SendOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    let answered = false
    const headers: Record<string, string | number> = {
      'Content-Type': 'application/json',
      ...options.headers
    }
    if (options.declareBytes !== undefined) headers['Content-Length'] = options.declareBytes
    const req = request(
      url,
      { method: options.method ?? 'POST', headers, agent: options.agent ?? false },
      (res) => {
        answered = true
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text ? JSON.parse(text) : undefined,
            reusedSocket: req.reusedSocket
          })
          if (!options.agent) req.destroy()
        })
      }
    )
    req.on('error', (error) => {
      if (!answered) reject(error)
    })
    const chunk = Buffer.alloc(1024, 'x')
    if (options.declareBytes !== undefined) {
      req.write(chunk)
      return
    }
    if (options.streamBytes !== undefined) {
      let sent = 0
      const pump = (): void => {
        if (answered || req.destroyed) return
        if (sent >= options.streamBytes!) return void req.end()
        sent += chunk.length
        req.write(chunk, () => setImmediate(pump))
      }
      pump()
      return
    }
    req.end(options.body)
  })
}
