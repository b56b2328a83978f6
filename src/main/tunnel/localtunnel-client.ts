/**
 * Opens one localtunnel tunnel, once, within a deadline, or fails with a sentence a user can act on.
 *
 * Why not just `localtunnel({...})`: its setup (`Tunnel._init`) retries `GET <host>/?new` every second
 * forever on any failure, 4xx and 5xx included, and keeps doing so even after `close()`. A timeout
 * around the promise would leave that loop running, one more per retry, hammering a service that
 * rate-limits. So the setup request is made here (one attempt, bounded), and the library is handed
 * its answer by replacing `_init` on the instance; everything after it (the socket pool, re-opening
 * sockets, piping to the local server) is the library's own code. Retrying is the manager's job,
 * with backoff.
 *
 * Client package: @n8n/localtunnel (maintained fork of localtunnel 2.0.2, same API, axios 1.x
 * instead of the advisory-laden axios 0.21.4). Its lib/Tunnel.js is pinned at 3.0.0.
 */
import Tunnel from '@n8n/localtunnel/lib/Tunnel'
import { z } from 'zod'
import type { HttpGet } from './http-get'

/** The localtunnel server's own rule (localtunnel/server server.js:98). */
export const SUBDOMAIN_PATTERN = /^(?:[a-z0-9][a-z0-9-]{4,63}[a-z0-9]|[a-z0-9]{4,63})$/

export const DEFAULT_TUNNEL_HOST = 'https://localtunnel.me'

const tunnelInfoSchema = z.object({
  id: z.string().min(1),
  port: z.number().int().positive(),
  url: z.string().url(),
  max_conn_count: z.number().int().positive().optional()
})

export interface OpenTunnelOptions {
  /** The tunnel service, e.g. https://localtunnel.me or a self-hosted server. */
  host: string
  /** The local port the service forwards to (our webhook server). */
  port: number
  /** Where the local server listens; 127.0.0.1, never "localhost" (it may resolve to ::1). */
  localHost: string
  subdomain?: string
  timeoutMs: number
  http: HttpGet
}

export interface OpenedTunnel {
  url: string
  /** The subdomain the service granted (may differ from the one asked for). */
  id: string
  /** Called once per drop signal from the client (`error` or `close` not caused by `close()`). */
  onDrop(listener: (reason: string) => void): void
  close(): void
}

/** A setup failure, said for the user. `kind` lets the manager word its state. */
export class TunnelSetupError extends Error {
  constructor(
    readonly kind: 'unreachable' | 'unavailable' | 'refused' | 'invalid' | 'timeout',
    message: string
  ) {
    super(message)
    this.name = 'TunnelSetupError'
  }
}

function serverMessage(body: string): string {
  try {
    const message = (JSON.parse(body) as { message?: unknown }).message
    if (typeof message === 'string') return message.slice(0, 200)
  } catch {
    // not JSON: the status line says enough
  }
  return ''
}

async function requestTunnel(
  options: OpenTunnelOptions
): Promise<z.infer<typeof tunnelInfoSchema>> {
  const host = options.host.replace(/\/+$/, '')
  const url = `${host}/${options.subdomain ?? '?new'}`
  let res
  try {
    res = await options.http(url, { timeoutMs: options.timeoutMs })
  } catch (error) {
    const code = (error as { code?: string }).code ?? ''
    if (code === 'ETIMEDOUT')
      throw new TunnelSetupError(
        'timeout',
        `The tunnel service ${host} did not answer within ${Math.round(options.timeoutMs / 1000)} s.`
      )
    const why =
      code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'its name does not resolve (no network, or a typo in the tunnel host)'
        : code === 'ECONNREFUSED'
          ? 'it refused the connection (is the server running on that port?)'
          : `the connection failed (${code || (error as Error).message})`
    throw new TunnelSetupError('unreachable', `Cannot reach the tunnel service ${host}: ${why}.`)
  }
  const said = serverMessage(res.body)
  if (res.status >= 500) {
    throw new TunnelSetupError(
      'unavailable',
      `The tunnel service ${host} answered ${res.status}: it cannot open tunnels right now` +
        `${said ? ` (“${said}”)` : ''}.`
    )
  }
  if (res.status !== 200) {
    throw new TunnelSetupError(
      'refused',
      options.subdomain
        ? `The tunnel service ${host} refused the subdomain “${options.subdomain}” (HTTP ` +
            `${res.status}${said ? `: ${said}` : ''}). Choose another one, or leave it empty ` +
            'for a random one.'
        : `The tunnel service ${host} refused to open a tunnel (HTTP ${res.status}` +
            `${said ? `: ${said}` : ''}).`
    )
  }
  let parsed
  try {
    parsed = tunnelInfoSchema.safeParse(JSON.parse(res.body))
  } catch {
    parsed = undefined
  }
  if (!parsed?.success) {
    throw new TunnelSetupError(
      'invalid',
      `${host} answered, but not with a tunnel: is it a localtunnel server? Check the tunnel host.`
    )
  }
  return parsed.data
}

export async function openLocaltunnel(options: OpenTunnelOptions): Promise<OpenedTunnel> {
  if (options.subdomain !== undefined && !SUBDOMAIN_PATTERN.test(options.subdomain)) {
    throw new TunnelSetupError(
      'invalid',
      `“${options.subdomain}” cannot be a localtunnel subdomain: use 4 to 63 lowercase letters, ` +
        'digits or dashes, not starting or ending with a dash.'
    )
  }
  const info = await requestTunnel(options)
  const tunnel = new Tunnel({
    host: options.host.replace(/\/+$/, ''),
    port: options.port,
    subdomain: options.subdomain,
    local_host: options.localHost
  })
  // The only departure from the library: its setup request is replaced by the one made above.
  tunnel._init = (callback) => callback(null, tunnel._getInfo(info))

  let closing = false
  const dropListeners: ((reason: string) => void)[] = []
  const drop = (reason: string): void => {
    if (closing) return
    for (const listener of dropListeners) listener(reason)
  }
  // The library emits one `error` per dead socket; an unheard `error` would crash the process.
  tunnel.on('error', (error: Error) => drop(error.message))
  tunnel.on('close', () => drop('the tunnel client closed'))

  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new TunnelSetupError(
              'timeout',
              `The tunnel service gave ${info.url} but its port ${info.port} could not be ` +
                `reached within ${Math.round(options.timeoutMs / 1000)} s (a firewall?).`
            )
          ),
        options.timeoutMs
      )
      // `url` is emitted when the first socket to the service is open: the tunnel carries traffic.
      tunnel.once('url', () => {
        clearTimeout(timer)
        resolve()
      })
      tunnel.once('error', (error: Error) => {
        clearTimeout(timer)
        reject(
          new TunnelSetupError(
            'unreachable',
            `The tunnel service gave ${info.url} but its port ${info.port} refused the ` +
              `connection (${error.message}).`
          )
        )
      })
      tunnel.open((error) => {
        if (error) reject(error)
      })
    })
  } catch (error) {
    closing = true
    tunnel.close()
    throw error
  }

  return {
    url: info.url,
    id: info.id,
    onDrop: (listener) => void dropListeners.push(listener),
    close() {
      closing = true
      tunnel.close()
    }
  }
}
