/**
 * The browser dashboard for the headless engine: the built renderer over HTTP and the contract's
 * operations and pushes over one WebSocket, on 127.0.0.1 only. A factory with its dependencies
 * injected, returning `{ url, stop }` (the pattern of mifi/lossless-cut's httpServer).
 */
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { join, resolve } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import {
  CLOSE_BAD_FRAME,
  CLOSE_TOO_MANY,
  CLOSE_UNAUTHORIZED,
  DASHBOARD_SOCKET_PATH,
  TOKEN_PARAM,
  type ClientFrame,
  type HostFrame
} from '../../shared/dashboard-protocol'
import { AppError } from '../../shared/errors'
import { createDispatch, isOperationName } from '../app/dispatch'
import { createHandlers } from '../app/handlers'
import type { HostDeps } from '../app/ports'
import { PushHub, type PushHubOptions } from '../app/push-hub'
import { checkHead, contentSecurityPolicy, tokenMatches } from './acceptance'
import { securityHeaders, serveStatic } from './static-files'

export interface DashboardOptions {
  deps: HostDeps
  /** The built renderer (index.html and assets). */
  rendererDir: string
  port?: number
  /** Per-launch secret; generated when not given. */
  token?: string
  push?: PushHubOptions
  /** A client that has not said hello by then is closed. */
  helloTimeoutMs?: number
  maxClients?: number
  log?: (line: string) => void
}

export interface Dashboard {
  /** What to open: the page, with the token in the fragment. */
  readonly url: string
  readonly port: number
  readonly token: string
  /** Tell connected pages that the runtime's status changed now (not at the next tick). */
  statusChanged(): void
  stop(): Promise<void>
}

/** Refused with what to do, before anything starts, when the page was never built. */
export function requireBuiltRenderer(rendererDir: string): void {
  if (!existsSync(join(rendererDir, 'index.html')))
    throw new AppError(
      'unavailable',
      `The dashboard's page is not built (no ${join(rendererDir, 'index.html')}). Build it once with "npx electron-vite build" (or "npm run build"), then start again.`
    )
}

/** Frames are small; a 1 MiB frame is an attack or a bug. */
const MAX_FRAME_BYTES = 1024 * 1024

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const root = resolve(options.rendererDir)
  requireBuiltRenderer(root)
  const token = options.token ?? randomBytes(24).toString('base64url')
  const log = options.log ?? (() => undefined)
  const dispatch = createDispatch(createHandlers(options.deps))
  const hub = new PushHub(options.deps, {
    onError: (error) => log(`dashboard: a push failed: ${String(error)}`),
    ...options.push
  })
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES })
  let port = 0

  const server: Server = createServer((req, res) => {
    const verdict = checkHead({ host: req.headers.host, origin: req.headers.origin }, port)
    if (!verdict.ok) {
      res.writeHead(verdict.status, { 'Content-Type': 'text/plain; charset=utf-8' })
      res.end(`${verdict.reason}\n`)
      return
    }
    const headers = securityHeaders(contentSecurityPolicy(req.headers.host as string))
    serveStatic(root, req, res, headers).catch((error: unknown) => {
      log(`dashboard: serving ${req.url}: ${String(error)}`)
      if (!res.headersSent) res.writeHead(500)
      res.end()
    })
  })

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refuse = (status: number, reason: string): void => {
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
    }
    const verdict = checkHead({ host: req.headers.host, origin: req.headers.origin }, port)
    if (!verdict.ok) return refuse(verdict.status, 'Refused')
    if (new URL(req.url ?? '/', 'http://dashboard').pathname !== DASHBOARD_SOCKET_PATH)
      return refuse(404, 'Not Found')
    sockets.handleUpgrade(req, socket, head, (ws) => serve(ws))
  })

  function serve(ws: WebSocket): void {
    if (sockets.clients.size > (options.maxClients ?? 16)) {
      ws.close(CLOSE_TOO_MANY, 'too many dashboard pages are open')
      return
    }
    const send = (frame: HostFrame): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame))
      else throw new Error('the dashboard page has gone')
    }
    let session: ReturnType<PushHub['connect']> | undefined
    const hello = setTimeout(
      () => ws.close(CLOSE_UNAUTHORIZED, 'no hello'),
      options.helloTimeoutMs ?? 5_000
    )
    ws.on('close', () => {
      clearTimeout(hello)
      session?.close()
    })
    ws.on('error', (error) => log(`dashboard: socket error: ${String(error)}`))
    ws.on('message', (data, isBinary) => {
      let frame: ClientFrame
      try {
        if (isBinary) throw new Error('binary frame')
        frame = JSON.parse(String(data)) as ClientFrame
      } catch {
        ws.close(CLOSE_BAD_FRAME, 'frames are JSON text')
        return
      }
      if (!session) {
        clearTimeout(hello)
        if (frame?.t !== 'hello' || !tokenMatches(frame.token, token)) {
          ws.close(CLOSE_UNAUTHORIZED, 'wrong or missing token: open the URL the engine printed')
          return
        }
        session = hub.connect((event, payload) => send({ t: 'push', event, payload } as HostFrame))
        send({ t: 'welcome' })
        return
      }
      if (
        frame?.t !== 'call' ||
        !Number.isSafeInteger(frame.id) ||
        !isOperationName(frame.op) ||
        !Array.isArray(frame.args)
      ) {
        ws.close(CLOSE_BAD_FRAME, 'a frame is { t: "call", id, op, args: [] }')
        return
      }
      const { id, op, args } = frame
      const current = session
      dispatch(op, args, current).then(
        (result) => ws.readyState === ws.OPEN && send({ t: 'result', id, result }),
        (error: unknown) => {
          log(`dashboard: ${op} failed: ${error instanceof Error ? error.stack : String(error)}`)
          if (ws.readyState === ws.OPEN)
            send({ t: 'error', id, message: `${op} failed unexpectedly; see the engine's log.` })
        }
      )
    })
  }

  port = await new Promise<number>((resolvePort, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      const address = server.address()
      resolvePort(typeof address === 'object' && address ? address.port : 0)
    })
  })

  return {
    url: `http://127.0.0.1:${port}/#${TOKEN_PARAM}=${token}`,
    port,
    token,
    statusChanged: () => hub.statusChanged(),
    async stop() {
      hub.close()
      for (const ws of sockets.clients) ws.terminate()
      sockets.close()
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
    }
  }
}
