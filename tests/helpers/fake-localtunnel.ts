/**
 * A loopback server speaking the localtunnel protocol (localtunnel/server @78c06f8), for tests with
 * the real client:
 * - control: `GET /?new` or `GET /<subdomain>` opens a TCP listener for the client's sockets and
 *   answers `{id, port, max_conn_count, url}`; a subdomain in use is silently replaced by a random
 *   one, as the real server does;
 * - public: HTTP on one port, routed by the subdomain in `Host` (`<id>.localhost:<port>`), each
 *   request sent over one of the client's sockets (an http.Agent handing them out, as the real
 *   TunnelAgent does); an unknown id gets 404, as on the real server;
 * - a tunnel with no client socket for `graceMs` is forgotten (the real server's 1 s grace).
 * Faults, as hosted loca.lt shows them: drop a tunnel, answer 503 (control or public), refuse or
 * replace subdomains, hang, and the HTML reminder page for browser-like requests.
 *
 * `<id>.localhost` does not resolve through this machine's resolver: see `resolveLocalhostNames`.
 */
import dns from 'node:dns'
import {
  Agent,
  createServer,
  request,
  type ClientRequestArgs,
  type IncomingMessage,
  type Server
} from 'node:http'
import {
  createServer as createNetServer,
  type AddressInfo,
  type Server as NetServer,
  type Socket
} from 'node:net'

interface LiveTunnel {
  id: string
  listener: NetServer
  port: number
  idle: Socket[]
  all: Set<Socket>
  waiters: ((socket: Socket) => void)[]
  agent: Agent
  grace?: NodeJS.Timeout
}

export type PublicMode = 'forward' | '503' | 'reminder-always'

export interface FakeLocaltunnel {
  /** The tunnel host to give the client: http://127.0.0.1:<control port>. */
  readonly host: string
  readonly publicPort: number
  /** Every control request path, in order (`/?new`, `/<sub>`). */
  readonly controlRequests: string[]
  /** Every public request: Host, path, user agent and the answer given. */
  readonly publicRequests: { host: string; path: string; userAgent: string; status: number }[]
  /** Live tunnel ids. */
  ids(): string[]
  /** Client sockets currently connected to a tunnel. */
  sockets(id: string): number
  /** Forgets a tunnel (all if no id): listener closed, sockets cut, public requests get 404. */
  drop(id?: string): void
  /** The next `count` control requests get 503. */
  answer503(count: number): void
  /** Control requests never get an answer (until called with false). */
  hang(on: boolean): void
  /** These subdomains get 403, as the real server answers an invalid one. */
  refuse(...subdomains: string[]): void
  /** Requested subdomains are ignored and random ones given (a stale tunnel holds them). */
  replaceSubdomains(on: boolean): void
  /** What public requests get: forwarded, 503, or the reminder page whatever the headers. */
  publicMode(mode: PublicMode): void
  close(): Promise<void>
}

const WORDS = ['brave', 'quiet', 'green', 'swift', 'lucky', 'proud', 'tidy', 'calm']
const ANIMALS = ['otter', 'panda', 'heron', 'lynx', 'moose', 'quail', 'yak', 'wren']

/** The reminder page hosted localtunnel shows to browser-like requests (abridged). */
export const REMINDER_PAGE =
  '<!DOCTYPE html><html><head><title>localtunnel reminder</title></head><body>' +
  '<h1>Friendly Reminder</h1><p>This website is served via a localtunnel.</p>' +
  '<p>To bypass this page, set and send the Bypass-Tunnel-Reminder request header.</p></body></html>'

const isBrowser = (ua: string): boolean => /Mozilla\/5\.0/.test(ua) && !/bot|curl|node/i.test(ua)

export async function startFakeLocaltunnel(
  options: { maxConnCount?: number; graceMs?: number } = {}
): Promise<FakeLocaltunnel> {
  const maxConn = options.maxConnCount ?? 3
  const graceMs = options.graceMs ?? 1_000
  const tunnels = new Map<string, LiveTunnel>()
  const controlRequests: string[] = []
  const publicRequests: FakeLocaltunnel['publicRequests'] = []
  let count503 = 0
  let hanging = false
  let replacing = false
  let mode: PublicMode = 'forward'
  const refused = new Set<string>()
  const hung: IncomingMessage[] = []
  let counter = 0

  const randomId = (): string => {
    counter++
    const n = Math.floor(Math.random() * 90) + 10
    return `${WORDS[counter % WORDS.length]}-${ANIMALS[(counter * 3) % ANIMALS.length]}-${n}${counter}`
  }

  function forget(tunnel: LiveTunnel): void {
    if (tunnels.get(tunnel.id) !== tunnel) return
    tunnels.delete(tunnel.id)
    clearTimeout(tunnel.grace)
    tunnel.listener.close()
    for (const socket of tunnel.all) socket.destroy()
    tunnel.agent.destroy()
  }

  function armGrace(tunnel: LiveTunnel): void {
    clearTimeout(tunnel.grace)
    tunnel.grace = setTimeout(() => forget(tunnel), graceMs)
    tunnel.grace.unref()
  }

  async function openTunnel(id: string): Promise<LiveTunnel> {
    const listener = createNetServer()
    const tunnel: LiveTunnel = {
      id,
      listener,
      port: 0,
      idle: [],
      all: new Set(),
      waiters: [],
      agent: new Agent({ keepAlive: false, maxSockets: maxConn })
    }
    // Requests ride on the client's sockets, one request per socket, as the real TunnelAgent does.
    ;(tunnel.agent as unknown as { createConnection: unknown }).createConnection = (
      _options: ClientRequestArgs,
      callback: (error: Error | null, socket?: Socket) => void
    ) => {
      const socket = tunnel.idle.shift()
      if (socket) callback(null, socket)
      else tunnel.waiters.push((s) => callback(null, s))
      return undefined
    }
    listener.on('connection', (socket) => {
      if (tunnel.all.size >= maxConn) {
        socket.destroy()
        return
      }
      tunnel.all.add(socket)
      clearTimeout(tunnel.grace)
      socket.on('error', () => undefined)
      socket.once('close', () => {
        tunnel.all.delete(socket)
        tunnel.idle = tunnel.idle.filter((s) => s !== socket)
        if (tunnel.all.size === 0 && tunnels.get(id) === tunnel) armGrace(tunnel)
      })
      const waiter = tunnel.waiters.shift()
      if (waiter) waiter(socket)
      else tunnel.idle.push(socket)
    })
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve))
    tunnel.port = (listener.address() as AddressInfo).port
    tunnels.set(id, tunnel)
    armGrace(tunnel)
    return tunnel
  }

  const json = (res: import('node:http').ServerResponse, status: number, body: object): void => {
    const text = JSON.stringify(body)
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text)
    })
    res.end(text)
  }

  const control: Server = createServer((req, res) => {
    const path = req.url ?? '/'
    controlRequests.push(path)
    if (hanging) {
      hung.push(req)
      return
    }
    if (count503 > 0) {
      count503--
      json(res, 503, { message: 'Tunnel service unavailable' })
      return
    }
    const wanted = path === '/?new' ? undefined : path.slice(1)
    if (wanted !== undefined && (refused.has(wanted) || !/^[a-z0-9-]{4,63}$/.test(wanted))) {
      json(res, 403, {
        message:
          'Invalid subdomain. Subdomains must be lowercase and between 4 and 63 alphanumeric characters.'
      })
      return
    }
    const id = wanted && !replacing && !tunnels.has(wanted) ? wanted : randomId()
    void openTunnel(id).then((tunnel) =>
      json(res, 200, {
        id,
        port: tunnel.port,
        max_conn_count: maxConn,
        url: `http://${id}.localhost:${publicPort}`
      })
    )
  })

  const publicServer: Server = createServer((req, res) => {
    const host = req.headers.host ?? ''
    const userAgent = String(req.headers['user-agent'] ?? '')
    const entry = { host, path: req.url ?? '/', userAgent, status: 0 }
    publicRequests.push(entry)
    const answer = (status: number, body: string, type = 'text/plain'): void => {
      entry.status = status
      res.writeHead(status, { 'Content-Type': type, Connection: 'close' })
      res.end(body)
    }
    const tunnel = tunnels.get(host.split('.')[0] ?? '')
    if (!tunnel) return answer(404, '404')
    if (mode === '503') return answer(503, '503 - Tunnel Unavailable')
    const bypass = req.headers['bypass-tunnel-reminder'] !== undefined
    if (mode === 'reminder-always' || (isBrowser(userAgent) && !bypass))
      return answer(200, REMINDER_PAGE, 'text/html; charset=utf-8')
    const upstream = request({
      agent: tunnel.agent,
      method: req.method,
      path: req.url,
      headers: req.headers
    })
    upstream.on('response', (answerFromClient) => {
      entry.status = answerFromClient.statusCode ?? 0
      res.writeHead(answerFromClient.statusCode ?? 502, answerFromClient.headers)
      answerFromClient.pipe(res)
    })
    // The real server gives no answer at all when the agent fails (lib/Client.js TODO): cut it.
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  })

  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve))
  await new Promise<void>((resolve) => publicServer.listen(0, '127.0.0.1', resolve))
  const publicPort = (publicServer.address() as AddressInfo).port

  return {
    host: `http://127.0.0.1:${(control.address() as AddressInfo).port}`,
    publicPort,
    controlRequests,
    publicRequests,
    ids: () => [...tunnels.keys()],
    sockets: (id) => tunnels.get(id)?.all.size ?? 0,
    drop(id) {
      for (const tunnel of [...tunnels.values()]) if (!id || tunnel.id === id) forget(tunnel)
    },
    answer503: (n) => void (count503 = n),
    hang(on) {
      hanging = on
      if (!on) for (const req of hung.splice(0)) req.socket.destroy()
    },
    refuse: (...subdomains) => subdomains.forEach((s) => refused.add(s)),
    replaceSubdomains: (on) => void (replacing = on),
    publicMode: (m) => void (mode = m),
    async close() {
      for (const tunnel of [...tunnels.values()]) forget(tunnel)
      for (const req of hung.splice(0)) req.socket.destroy()
      control.closeAllConnections()
      publicServer.closeAllConnections()
      await Promise.all([
        new Promise((resolve) => control.close(resolve)),
        new Promise((resolve) => publicServer.close(resolve))
      ])
    }
  }
}

/**
 * Makes `<anything>.localhost` resolve to 127.0.0.1 in this test process, as RFC 6761 asks and as
 * browsers and systemd-resolved do (this machine's resolver does not). Node's sockets look names up
 * through `dns.lookup` at connect time, so the emulator's webhook deliveries follow too. Returns the
 * function that restores the original.
 */
export function resolveLocalhostNames(): () => void {
  const original = dns.lookup
  const patched = ((hostname: string, options: unknown, callback?: unknown) => {
    const cb = (typeof options === 'function' ? options : callback) as (...args: unknown[]) => void
    const opts = (typeof options === 'object' && options !== null ? options : {}) as {
      all?: boolean
    }
    if (hostname.endsWith('.localhost')) {
      process.nextTick(() =>
        opts.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)
      )
      return
    }
    return (original as (...args: unknown[]) => void)(hostname, options, callback)
  }) as typeof dns.lookup
  dns.lookup = patched
  return () => {
    dns.lookup = original
  }
}

/** The same resolution, as a `lookup` option for one request (no global change). */
export const localhostLookup = ((
  hostname: string,
  options: unknown,
  callback: (...args: unknown[]) => void
) => {
  const opts = (typeof options === 'object' && options !== null ? options : {}) as { all?: boolean }
  const cb = typeof options === 'function' ? (options as typeof callback) : callback
  if (hostname.endsWith('.localhost') || hostname === 'localhost') {
    process.nextTick(() =>
      opts.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)
    )
    return
  }
  dns.lookup(hostname, options as dns.LookupOptions, cb as never)
}) as unknown as import('node:net').LookupFunction
