/**
 * Who may talk to the browser dashboard: a pure rule, checked on every HTTP request and on the
 * socket's upgrade.
 *
 * Why Host: a web page on another site can rebind its own DNS name to 127.0.0.1 (DNS rebinding);
 * its requests then carry that name in Host, so only `127.0.0.1:<port>` and `localhost:<port>` are
 * served. Why Origin: a page on another site may open a WebSocket to 127.0.0.1 directly (sockets
 * are not bound by the same-origin policy), and its browser names that site in Origin. Why the
 * token: other local users and processes can reach the port; only whoever saw the printed URL has
 * it. Pattern: mifi/lossless-cut's httpServerUtil (a pure acceptance rule, tested on its own).
 */
import { timingSafeEqual } from 'node:crypto'

export interface RequestHead {
  host: string | undefined
  origin: string | undefined
}

export type Verdict = { ok: true } | { ok: false; status: 403 | 421; reason: string }

export const allowedHosts = (port: number): string[] => [`127.0.0.1:${port}`, `localhost:${port}`]

export function checkHead(head: RequestHead, port: number): Verdict {
  const hosts = allowedHosts(port)
  if (!head.host || !hosts.includes(head.host.toLowerCase()))
    return { ok: false, status: 421, reason: `Host ${head.host ?? '(none)'} is not this dashboard` }
  // Absent for same-origin GETs and non-browser clients; a browser always sends it on a socket.
  if (
    head.origin !== undefined &&
    !hosts.map((h) => `http://${h}`).includes(head.origin.toLowerCase())
  )
    return { ok: false, status: 403, reason: `Origin ${head.origin} is not this dashboard` }
  return { ok: true }
}

/** Constant-time, so the token cannot be guessed a character at a time. */
export function tokenMatches(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * The served pages' policy: scripts only from the dashboard itself (no inline script), the socket
 * only to the dashboard, nothing framed, no forms posted anywhere, no <base> or plugins.
 */
export function contentSecurityPolicy(host: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    `connect-src ws://${host}`,
    "form-action 'none'",
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'"
  ].join('; ')
}
