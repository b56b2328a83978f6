/**
 * The emulator's HTTP front: one plain-HTTP server on loopback serving the signed Stark API under
 * `/v2` (reached by the SDK through the transport seam) and the unsigned control API under
 * `/_emulator`. Bad input never crashes it: every failure becomes a Stark-style error envelope.
 *
 * Everything that can be decided from the request head is decided before the body is read: the
 * Host and Origin (front-guard.ts), the route, the control API's content type, the auth headers and
 * the declared size. A request refused there is answered at once and its connection closed, so an
 * unauthenticated sender cannot make the emulator hold its body. Timeouts and a connection cap
 * (connection-cap.ts) bound what idle and slow sockets can hold.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Authenticator } from './auth'
import { capConnections, type ConnectionCap } from './connection-cap'
import type { EmulatorCore } from './core'
import { StarkError } from './errors'
import type { HostAllowList } from './front-guard'
import {
  BinaryBody,
  BodyTooLarge,
  bodyUnread,
  declaredBodyBytes,
  parseJson,
  readBody,
  sendBinary,
  sendError,
  sendJson
} from './http-io'
import type { ApiRequest, Router } from './router'

const INTERNAL = StarkError.of('internalServerError', 'Houston, we have a problem.', 500)

export interface FrontLimits {
  /** Open connections at most; a new one beyond closes an idle one (connection-cap.ts). */
  maxConnections: number
  /** A request head must arrive within this (idle sockets that send nothing included). */
  headersTimeoutMs: number
  /** A whole request, body included, must arrive within this. */
  requestTimeoutMs: number
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number
  /** Control calls carry a public key or a few numbers; nothing near this. */
  controlBodyBytes: number
}

export const DEFAULT_FRONT_LIMITS: FrontLimits = {
  maxConnections: 128,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  controlBodyBytes: 16 * 1024
}

export interface FrontOptions {
  core: EmulatorCore
  api: Router
  control: Router
  auth: Authenticator
  hosts: HostAllowList
  limits?: Partial<FrontLimits>
}

export interface Front {
  server: Server
  cap: ConnectionCap
}

const headerOf = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

export function createFront({ core, api, control, auth, hosts, limits }: FrontOptions): Front {
  const limit: FrontLimits = { ...DEFAULT_FRONT_LIMITS, ...limits }

  /** The most body bytes this request may carry, from its method and API. */
  const bodyLimit = (method: string, isApi: boolean): number => {
    if (method === 'GET' || method === 'DELETE' || method === 'HEAD') return 0
    return isApi ? core.config.maxBodyBytes : limit.controlBodyBytes
  }
  const tooLarge = (method: string, bytes: number): StarkError =>
    bytes === 0
      ? StarkError.of(
          'invalidJson',
          `${method} requests carry no body; send the parameters in the query`
        )
      : StarkError.of('invalidJson', `The request body exceeds ${bytes} bytes`)

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const verdict = hosts.check(headerOf(req, 'host'), headerOf(req, 'origin'))
    if (!verdict.ok) throw StarkError.of(verdict.code, verdict.message, 403)

    const url = new URL(req.url ?? '/', 'http://emulator.local')
    const method = req.method ?? 'GET'
    const isApi = url.pathname.startsWith('/v2/')
    const isControl = url.pathname.startsWith('/_emulator/')
    if (!isApi && !isControl)
      throw StarkError.of('invalidRoute', `No route ${method} ${url.pathname}`, 404)
    // A web page can send simple cross-origin POSTs to loopback; requiring JSON forces a CORS
    // preflight, which this server never grants, so pages cannot drive the control API.
    const contentType = req.headers['content-type'] ?? ''
    if (isControl && method !== 'GET' && !/^application\/json\b/i.test(contentType)) {
      throw StarkError.of(
        'invalidContentType',
        'Control requests must send Content-Type: application/json.',
        415
      )
    }
    const router = isApi ? api : control
    const found = router.match(method, url.pathname)
    if (found === undefined)
      throw StarkError.of('invalidRoute', `No route ${method} ${url.pathname}`, 404)
    if (found === 'method')
      throw StarkError.of('invalidRoute', `${method} is not allowed on ${url.pathname}`, 405)

    const pendingAuth = isApi ? auth.precheck(req.headers) : undefined
    const maxBytes = bodyLimit(method, isApi)
    if (declaredBodyBytes(req) > maxBytes) throw tooLarge(method, maxBytes)
    const raw = await readBody(req, maxBytes).catch((error: unknown) => {
      throw error instanceof BodyTooLarge ? tooLarge(method, maxBytes) : error
    })

    const request: ApiRequest = {
      method,
      path: url.pathname,
      params: found.params,
      query: url.searchParams,
      body: undefined,
      rawBody: raw
    }
    if (pendingAuth) {
      request.accessId = auth.verify(pendingAuth, raw)
      if (core.faults.latencyMs > 0) await sleep(core.faults.latencyMs)
    }
    request.body = method === 'GET' || method === 'DELETE' ? undefined : parseJson(raw)

    // Injected 500s fail before or after the work, so that clients meet both a lost request and a
    // lost answer (the case an outbox must resolve by looking the result up). Drawn only when
    // configured: otherwise the story of a seed would depend on how many requests were made.
    const fault = isApi && core.faults.apiErrorRate > 0 && core.rng.chance(core.faults.apiErrorRate)
    const failAfter = fault && core.rng.chance(0.5)
    if (fault && !failAfter) throw INTERNAL

    const result = await found.handler(request)
    // Every answer waits for the disk, reads too: what a client has seen survives a crash (lazy
    // bookkeeping aside: losing it only repeats a delivery).
    await core.saveEager()
    if (failAfter) throw INTERNAL
    if (result instanceof BinaryBody) sendBinary(res, result)
    else sendJson(res, 200, result)
  }

  const server = createServer(
    {
      headersTimeout: limit.headersTimeoutMs,
      requestTimeout: limit.requestTimeoutMs,
      // Node checks the two timeouts above on this period (30 s by default).
      connectionsCheckingInterval: Math.min(1_000, limit.headersTimeoutMs)
    },
    (req, res) => {
      handle(req, res).catch((error: unknown) => {
        if (res.headersSent) return
        // A request refused before its body was read gets its answer, then the connection closes
        // (Node discards what is left); reading the rest would be the work the refusal avoids.
        const close = bodyUnread(req)
        if (error instanceof StarkError) {
          sendError(res, error, close)
          return
        }
        core.log(`emulator: internal error on ${req.method} ${req.url}: ${String(error)}`)
        sendError(res, INTERNAL, close)
      })
    }
  )
  server.keepAliveTimeout = limit.keepAliveTimeoutMs
  const cap = capConnections(server, limit.maxConnections)
  return { server, cap }
}

export async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  return (server.address() as AddressInfo).port
}
