/**
 * The reachability self-test: a request through the public URL must reach our own webhook server and
 * bring back a nonce only this process issued. Anything else is said in plain words: the tunnel
 * service's reminder page (HTML), its 503, a dead tunnel, or another app answering at the address.
 *
 * Why a nonce and not just "any 200": hosted localtunnel can answer 200 with its reminder page, and a
 * reused subdomain or a misrouted reverse proxy can answer 200 from someone else's server. Only our
 * own nonce proves the path Stark will use ends at this process.
 */
import { randomBytes } from 'node:crypto'
import { APP_NAME } from '../../shared/app-info'
import { PROBE_PATH_PREFIX, type ProbeResponder } from '../engine/webhook-server'
import type { HttpGet } from './http-get'

/** Not a browser (so no reminder page), and named, so a server log shows who knocked. */
export const PROBE_USER_AGENT = `${APP_NAME.replace(/ /g, '')}-reachability-probe/1`

export type ProbeProblem =
  /** The tunnel service showed its HTML reminder page instead of forwarding. */
  | 'reminder'
  /** The tunnel service answered 503 (or another 5xx): it has no live tunnel for the address. */
  | 'unavailable'
  /** Nothing answered, the connection failed, or the service no longer knows the address. */
  | 'dead'
  /** Something answered 2xx, but not with our nonce: another server holds the address. */
  | 'foreign'

export type ProbeVerdict = { ok: true } | { ok: false; problem: ProbeProblem; message: string }

/**
 * Nonces the manager issued; the webhook server answers only these. Bounded and short-lived, so the
 * probe route can never be used to grow memory or to confirm a guessed value later.
 */
export class ProbeNonces implements ProbeResponder {
  private readonly live = new Map<string, number>()

  constructor(
    private readonly now: () => number,
    private readonly ttlMs = 60_000,
    private readonly max = 16
  ) {}

  issue(): string {
    const nonce = randomBytes(18).toString('base64url')
    const now = this.now()
    for (const [n, expires] of this.live) if (expires <= now) this.live.delete(n)
    while (this.live.size >= this.max) this.live.delete(this.live.keys().next().value as string)
    this.live.set(nonce, now + this.ttlMs)
    return nonce
  }

  answers(nonce: string): boolean {
    const expires = this.live.get(nonce)
    return expires !== undefined && expires > this.now()
  }

  revoke(nonce: string): void {
    this.live.delete(nonce)
  }
}

export function probeUrl(publicUrl: string, nonce: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${PROBE_PATH_PREFIX}${nonce}`
}

const looksLikeHtml = (contentType: string, body: string): boolean =>
  /html/i.test(contentType) || /^\s*<(!doctype|html|head|body)/i.test(body)

/** Sends one probe through `publicUrl` and classifies what came back. Never throws. */
export async function probePublicUrl(
  publicUrl: string,
  deps: { http: HttpGet; nonces: ProbeNonces; timeoutMs: number }
): Promise<ProbeVerdict> {
  const nonce = deps.nonces.issue()
  const where = publicUrl.replace(/\/+$/, '')
  try {
    const res = await deps.http(probeUrl(publicUrl, nonce), {
      timeoutMs: deps.timeoutMs,
      // localtunnel's documented bypass; harmless anywhere else.
      headers: { 'User-Agent': PROBE_USER_AGENT, 'Bypass-Tunnel-Reminder': '1' }
    })
    const contentType = String(res.headers['content-type'] ?? '')
    if (res.status === 200 && res.body === nonce) return { ok: true }
    if (looksLikeHtml(contentType, res.body) && res.status < 500 && res.status !== 404) {
      return {
        ok: false,
        problem: 'reminder',
        message:
          `The tunnel service showed its reminder web page at ${where} instead of passing the ` +
          'request on, although the request did not look like a browser. Stark’s webhooks would ' +
          'get that page too. If this keeps happening, use your own public URL (ngrok, ' +
          'cloudflared) or a self-hosted tunnel server.'
      }
    }
    if (res.status >= 500) {
      return {
        ok: false,
        problem: 'unavailable',
        message:
          `The tunnel service answered ${res.status} at ${where}: it has no working tunnel for ` +
          'this address right now (the tunnel dropped, or the service is having trouble).'
      }
    }
    if (res.status === 404) {
      return {
        ok: false,
        problem: 'dead',
        message:
          `${where} answered 404 to the reachability check: the address does not lead to this ` +
          'app any more (the tunnel service forgot the tunnel, or a proxy sends the path ' +
          'elsewhere).'
      }
    }
    return {
      ok: false,
      problem: 'foreign',
      message:
        `Something answered at ${where} (HTTP ${res.status}), but it is not this app: the check's ` +
        'code did not come back. Another app may hold this address, or a proxy rewrites the path.'
    }
  } catch (error) {
    const code = (error as { code?: string }).code ?? ''
    const why =
      code === 'ETIMEDOUT'
        ? `nothing answered within ${Math.round(deps.timeoutMs / 1000)} s`
        : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? 'its name does not resolve (no network, or the address is wrong)'
          : code === 'ECONNREFUSED'
            ? 'the connection was refused'
            : code === 'ECONNRESET' || code === 'EPIPE'
              ? 'the connection was cut before an answer came'
              : `the connection failed (${code || (error as Error).message})`
    return {
      ok: false,
      problem: 'dead',
      message: `The reachability check through ${where} failed: ${why}.`
    }
  } finally {
    deps.nonces.revoke(nonce)
  }
}
