/**
 * The tunnel manager's public shapes: what the runtime passes in and what the desktop app, the
 * browser dashboard and the CLI's journal lines receive. Plain data, safe to send to a front end.
 */
import type { ProbeProblem } from './probe'

export type TunnelMode =
  /** A localtunnel tunnel on `host` (default https://localtunnel.me, or a self-hosted server). */
  | { kind: 'localtunnel'; host?: string; subdomain?: string }
  /** The user's own public URL (ngrok, cloudflared, a reverse proxy): checked, never opened. */
  | { kind: 'public-url'; url: string }

export type WebhookSync =
  | { status: 'pending' }
  | { status: 'registered'; url: string; at: number }
  | { status: 'failed'; reason: string; nextTry: number }

/** Times are epoch ms from the injected clock. */
export type TunnelState =
  | { status: 'stopped' }
  | { status: 'connecting'; attempt: number; since: number }
  | {
      status: 'up'
      url: string
      since: number
      lastCheck: number
      /** Something the user should know although it works (a replaced subdomain, an http URL). */
      notice?: string
      /** Present when the manager registers the webhook (`registerWebhook` given). */
      webhook?: WebhookSync
    }
  | { status: 'down'; reason: string; problem: DownProblem; nextTry: number; attempt: number }

export type DownProblem = ProbeProblem | 'setup' | 'dropped'

export interface TunnelCheck {
  at: number
  url: string
  ok: boolean
  problem?: ProbeProblem
  message?: string
}

export interface TunnelEvents {
  /** Every state change. */
  state: TunnelState
  /** The public URL changed (first one included: `previous` undefined). */
  url: { url: string; previous?: string }
  /** Every reachability check, passed or failed. */
  check: TunnelCheck
  /** The requested subdomain was not granted: said, and the webhook follows the new URL. */
  subdomainChanged: { requested: string; granted: string; url: string }
}

export type TunnelListener<K extends keyof TunnelEvents> = (payload: TunnelEvents[K]) => void

export interface TunnelTiming {
  /** Deadline for asking the service for a tunnel, and again for its first socket. */
  setupTimeoutMs: number
  /** Deadline of one reachability check. */
  probeTimeoutMs: number
  /** Between two reachability checks while up. */
  checkIntervalMs: number
  backoffBaseMs: number
  backoffMaxMs: number
}

export const DEFAULT_TIMING: TunnelTiming = {
  setupTimeoutMs: 15_000,
  probeTimeoutMs: 10_000,
  checkIntervalMs: 60_000,
  backoffBaseMs: 1_000,
  backoffMaxMs: 60_000
}
