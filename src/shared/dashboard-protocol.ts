/**
 * The browser dashboard's socket protocol: the contract's operations and pushes as JSON frames.
 * Pure TypeScript, shared by the dashboard host (src/main/web) and its client in the renderer.
 *
 * The first frame a client sends is `hello` with the per-launch token from the dashboard URL; the
 * host closes the socket with `CLOSE_UNAUTHORIZED` on anything else.
 */
import type { HostEventName, HostEvents, OperationName, Result } from './contract'

export const DASHBOARD_SOCKET_PATH = '/ws'

/** Close codes (4000-4999 are the application's own). */
export const CLOSE_UNAUTHORIZED = 4401
export const CLOSE_BAD_FRAME = 4400
export const CLOSE_TOO_MANY = 4429

export type ClientFrame =
  { t: 'hello'; token: string } | { t: 'call'; id: number; op: OperationName; args: unknown[] }

export type HostFrame =
  | { t: 'welcome' }
  | { t: 'result'; id: number; result: Result<unknown> }
  /** A bug in the host (not an expected failure): the call's promise rejects with this message. */
  | { t: 'error'; id: number; message: string }
  | { [E in HostEventName]: { t: 'push'; event: E; payload: HostEvents[E] } }[HostEventName]

/** The token travels in the URL fragment (never sent to a server, never in a Referer). */
export const TOKEN_PARAM = 'token'
