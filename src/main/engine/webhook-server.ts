/**
 * The local HTTP endpoint Stark's webhooks reach (through the tunnel). It reads the raw body with
 * the size limit enforced while streaming, verifies the signature over those exact bytes, and
 * answers 200 only once the sink has durably recorded the event: a crash before the journal write
 * leaves the delivery unanswered, so Stark retries it instead of losing it. Processing happens
 * after the answer, in the sink's own time; this module only decides and records.
 *
 * Binds 127.0.0.1: the tunnel client connects locally, and nothing else needs to reach it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { SignatureVerifier } from './signature'
import {
  classifyDelivery,
  pathMatches,
  declaredLength,
  parseVerifiedEvent,
  precheckDelivery,
  previewOf,
  signatureHeader,
  type Rejection,
  type VerifiedEvent
} from './webhook-acceptance'

export type { VerifiedEvent } from './webhook-acceptance'

export type AcceptResult = 'recorded' | 'duplicate' | 'ignored'

export interface RejectionInfo {
  reason: string
  status: number
  bytes: number
  preview: string
}

export interface WebhookSink {
  /** Resolves once the event is durable (journaled); the 200 waits for it. Throwing means 500. */
  accept(event: VerifiedEvent, raw: Buffer): Promise<AcceptResult>
  /** A delivery refused with a 4xx; for the live log only, it must not act on the body. */
  rejected(info: RejectionInfo): void
}

export interface WebhookServerOptions {
  host?: string
  port?: number
  /** The secret path segment; whoever lacks it gets 404 before any signature work. */
  secret: string
  maxBodyBytes?: number
  verifier: Pick<SignatureVerifier, 'verify'>
  sink: WebhookSink
  /** Failures that became a 500 (key fetch, journal write) and bugs in the sink. */
  onError: (error: unknown) => void
  /** How long stop() lets in-flight requests finish before cutting connections. */
  stopGraceMs?: number
  /**
   * Optional reachability self-test (src/main/tunnel/probe.ts): `GET /stark/probe/<nonce>` is
   * answered with the nonce only while `answers(nonce)` is true; every other probe path stays a
   * stranger (404), so the route tells nobody anything they did not already hold.
   */
  probe?: ProbeResponder
  /** A request head must be complete this soon after its first byte (default 10 s). */
  headersTimeoutMs?: number
  /** A whole request, body included, must arrive this soon (default 30 s). */
  requestTimeoutMs?: number
  /** Sockets held at once; past it the one that has waited longest for a request head goes. */
  maxSockets?: number
}

export interface ProbeResponder {
  answers(nonce: string): boolean
}

export const PROBE_PATH_PREFIX = '/stark/probe/'

export interface WebhookServer {
  start(): Promise<{ port: number; url: string }>
  stop(): Promise<void>
  /** Requests for another path or method since start: counted, never journaled. */
  strangers(): number
}

export const WEBHOOK_PATH_PREFIX = '/stark/webhook/'

type Body = { kind: 'read'; raw: Buffer } | { kind: 'too-large'; head: Buffer; bytes: number }

/**
 * Collects the body as Buffers (never strings: the signature covers bytes). Past the limit it stops
 * collecting and pauses the stream, so an endless chunked body costs at most the limit in memory.
 */
function readBody(req: IncomingMessage, max: number): Promise<Body> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let bytes = 0
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length
      if (bytes > max) {
        req.off('data', onData)
        req.pause()
        // Only the start is kept, for the rejection's preview.
        resolve({
          kind: 'too-large',
          head: Buffer.concat([...chunks, chunk], Math.min(bytes, 256)),
          bytes
        })
        return
      }
      chunks.push(chunk)
    }
    req.on('data', onData)
    req.once('end', () => resolve({ kind: 'read', raw: Buffer.concat(chunks, bytes) }))
    req.once('error', reject)
    // Belt and braces: an aborted upload must settle the promise even if no 'error' is emitted.
    req.once('close', () => {
      if (!req.complete) reject(new Error('the sender closed the connection mid-body'))
    })
  })
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1'
  return host.includes(':') ? `[${host}]` : host
}

/**
 * Slow or idle sockets must not keep deliveries out. A fixed `maxConnections` let 256 slow-header
 * sockets refuse every genuine delivery (about 40 s per wave); so instead, past `max` open sockets,
 * the socket that has waited longest for a request head is closed to make room. A genuine sender
 * sends its head at once and is then never evictable while its request is handled, so only idle and
 * slow sockets are ever cut; an attacker replacing its sockets only evicts its own older ones.
 */
function trackSockets(
  server: ReturnType<typeof createServer>,
  waiting: Map<Socket, true>,
  max: number
): void {
  const counted = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    counted.add(socket)
    waiting.set(socket, true)
    socket.once('close', () => {
      counted.delete(socket)
      waiting.delete(socket)
    })
    while (counted.size > max) {
      const oldest = waiting.keys().next()
      if (oldest.done) break
      waiting.delete(oldest.value)
      counted.delete(oldest.value)
      oldest.value.destroy()
    }
  })
}

export function createWebhookServer(options: WebhookServerOptions): WebhookServer {
  const { secret, verifier, sink, onError } = options
  const host = options.host ?? '127.0.0.1'
  const maxBodyBytes = options.maxBodyBytes ?? 256 * 1024
  const stopGraceMs = options.stopGraceMs ?? 2_000
  // A short or URL-unsafe secret would be guessable or mangled by proxies on the way.
  if (!/^[A-Za-z0-9_-]{16,}$/.test(secret)) {
    throw new Error(
      'the webhook secret must be at least 16 characters of A-Z, a-z, 0-9, "_" or "-"'
    )
  }
  const expectedPath = WEBHOOK_PATH_PREFIX + secret
  let stopping = false

  function answer(res: ServerResponse, status: number, body: object, close = false): void {
    if (res.headersSent || res.destroyed) return
    const text = JSON.stringify(body)
    const headers: Record<string, string | number> = {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
      'Cache-Control': 'no-store'
    }
    if (status === 405) headers.Allow = 'POST'
    // After a refused body the rest of it is still on the wire; closing is the only way to skip it.
    if (close || stopping) headers.Connection = 'close'
    res.writeHead(status, headers)
    res.end(text)
  }

  function reject(res: ServerResponse, rejection: Rejection, raw: Buffer, bytes: number): void {
    try {
      sink.rejected({
        reason: rejection.reason,
        status: rejection.status,
        bytes,
        preview: previewOf(raw)
      })
    } catch (error) {
      onError(error)
    }
    answer(res, rejection.status, { ok: false, error: rejection.reason }, rejection.status === 413)
  }

  let strangers = 0
  /** Sockets waiting for a request head, oldest first (a Map keeps insertion order). */
  const waiting = new Map<Socket, true>()

  /** True when it answered a probe the tunnel manager issued. */
  function answerProbe(req: IncomingMessage, res: ServerResponse): boolean {
    if (!options.probe || req.method !== 'GET' || !req.url?.startsWith(PROBE_PATH_PREFIX))
      return false
    const nonce = req.url.slice(PROBE_PATH_PREFIX.length).split('?')[0] ?? ''
    if (!/^[A-Za-z0-9_-]{16,64}$/.test(nonce) || !options.probe.answers(nonce)) return false
    res.writeHead(200, {
      'Content-Type': 'text/plain',
      'Content-Length': Buffer.byteLength(nonce),
      'Cache-Control': 'no-store',
      Connection: 'close'
    })
    res.end(nonce)
    return true
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (answerProbe(req, res)) return
    // Behind a public tunnel anyone can knock. Without the secret path (or with another method) the
    // request is answered from its head alone: no body is read and nothing reaches the journal, so
    // strangers cannot grow the disk or the memory.
    const stranger = !pathMatches(req.url, expectedPath)
      ? { status: 404, error: 'not found' }
      : req.method !== 'POST'
        ? { status: 405, error: 'POST only' }
        : undefined
    if (stranger) {
      strangers++
      answer(res, stranger.status, { ok: false, error: stranger.error }, true)
      return
    }
    const contentLength = req.headers['content-length']
    const early = precheckDelivery({ contentLength, maxBodyBytes })
    if (early) {
      reject(res, early, Buffer.alloc(0), declaredLength(contentLength) ?? 0)
      return
    }
    let body: Body
    try {
      body = await readBody(req, maxBodyBytes)
    } catch {
      return // The sender went away mid-body: there is no one left to answer.
    }
    if (body.kind === 'too-large') {
      reject(
        res,
        { kind: 'reject', status: 413, reason: `body exceeds the ${maxBodyBytes}-byte limit` },
        body.head,
        body.bytes
      )
      return
    }
    const raw = body.raw
    const signature = req.headers['digital-signature']
    const verdict = classifyDelivery({
      method: req.method,
      path: req.url,
      expectedPath,
      contentLength,
      bodyBytes: raw.length,
      maxBodyBytes,
      signature
    })
    if (verdict.kind === 'reject') {
      reject(res, verdict, raw, raw.length)
      return
    }

    let checked: 'valid' | 'invalid'
    try {
      checked = await verifier.verify(raw, signatureHeader(signature))
    } catch (error) {
      onError(error)
      answer(res, 503, { ok: false, error: 'cannot check signatures right now; retry later' })
      return
    }
    if (checked === 'invalid') {
      reject(
        res,
        { kind: 'reject', status: 400, reason: 'signature does not match Stark public key' },
        raw,
        raw.length
      )
      return
    }
    const parsed = parseVerifiedEvent(raw)
    if (!parsed.ok) {
      reject(
        res,
        { kind: 'reject', status: 400, reason: `signed body is not an event: ${parsed.reason}` },
        raw,
        raw.length
      )
      return
    }

    let result: AcceptResult
    try {
      result = await sink.accept(parsed.event, raw)
    } catch (error) {
      onError(error)
      answer(res, 500, { ok: false, error: 'could not record the event; retry later' })
      return
    }
    answer(res, 200, { ok: true, result })
  }

  const headersTimeout = options.headersTimeoutMs ?? 10_000
  const server = createServer(
    {
      headersTimeout,
      requestTimeout: Math.max(options.requestTimeoutMs ?? 30_000, headersTimeout),
      // Node checks both timeouts only this often (30 s by default): a slow socket lived that long.
      connectionsCheckingInterval: Math.min(1_000, headersTimeout),
      keepAliveTimeout: 5_000
    },
    (req, res) => {
      waiting.delete(req.socket)
      handle(req, res).catch((error: unknown) => {
        onError(error)
        answer(res, 500, { ok: false, error: 'internal error' })
      })
      // Between keep-alive requests a socket waits for the next head again: it may be evicted.
      res.once('finish', () => {
        if (!req.socket.destroyed) waiting.set(req.socket, true)
      })
    }
  )
  trackSockets(server, waiting, options.maxSockets ?? 256)

  let listening: { port: number; url: string } | undefined

  return {
    async start() {
      if (listening) return listening
      stopping = false
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(options.port ?? 0, host, () => {
          server.off('error', reject)
          resolve()
        })
      })
      const { port } = server.address() as AddressInfo
      listening = { port, url: `http://${hostForUrl(host)}:${port}${expectedPath}` }
      return listening
    },

    strangers: () => strangers,

    async stop() {
      if (!listening) return
      stopping = true
      listening = undefined
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeIdleConnections()
      // In-flight answers get Connection: close (see `answer`). Whatever is still open after the
      // grace period is cut; those deliveries never got a 200, so Stark retries them.
      const timer = setTimeout(() => server.closeAllConnections(), stopGraceMs)
      try {
        await closed
      } finally {
        clearTimeout(timer)
      }
    }
  }
}
