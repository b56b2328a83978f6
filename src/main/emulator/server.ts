/**
 * The emulator's HTTP front: one plain-HTTP server on loopback serving the signed Stark API under
 * `/v2` (reached by the SDK through the transport seam) and the unsigned control API under
 * `/_emulator`. Bad input never crashes it: every failure becomes a Stark-style error envelope.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Authenticator } from './auth'
import type { EmulatorCore } from './core'
import { StarkError } from './errors'
import { BodyTooLarge, parseJson, readBody, sendError, sendJson } from './http-io'
import type { ApiRequest, Router } from './router'

const INTERNAL = StarkError.of('internalServerError', 'Houston, we have a problem.', 500)

export interface FrontOptions {
  core: EmulatorCore
  api: Router
  control: Router
  auth: Authenticator
}

export function createFront({ core, api, control, auth }: FrontOptions): Server {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let raw: string
    try {
      raw = await readBody(req, core.config.maxBodyBytes)
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        const tooLarge = StarkError.of(
          'invalidJson',
          `The request body exceeds ${core.config.maxBodyBytes} bytes`
        )
        sendError(res, tooLarge, true)
        return
      }
      throw error
    }
    const url = new URL(req.url ?? '/', 'http://emulator.local')
    const method = req.method ?? 'GET'
    const isApi = url.pathname.startsWith('/v2/')
    const isControl = url.pathname.startsWith('/_emulator/')
    if (!isApi && !isControl) {
      sendError(res, StarkError.of('invalidRoute', `No route ${method} ${url.pathname}`, 404))
      return
    }
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

    const request: ApiRequest = {
      method,
      path: url.pathname,
      params: found.params,
      query: url.searchParams,
      body: undefined,
      rawBody: raw
    }
    if (isApi) {
      request.accessId = auth.check(req.headers, raw)
      if (core.faults.latencyMs > 0) await sleep(core.faults.latencyMs)
    }
    request.body = method === 'GET' || method === 'DELETE' ? undefined : parseJson(raw)

    // Injected 500s fail before or after the work, so that clients meet both a lost request and a
    // lost answer (the case an outbox must resolve by looking the result up).
    const fault = isApi && core.rng.chance(core.faults.apiErrorRate)
    const failAfter = fault && core.rng.chance(0.5)
    if (fault && !failAfter) throw INTERNAL

    const result = await found.handler(request)
    // Every answer waits for the disk, reads too: what a client has seen survives a crash.
    await core.save()
    if (failAfter) throw INTERNAL
    sendJson(res, 200, result)
  }

  return createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return
      if (error instanceof StarkError) {
        sendError(res, error)
        return
      }
      core.log(`emulator: internal error on ${req.method} ${req.url}: ${String(error)}`)
      sendError(res, INTERNAL)
    })
  })
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
