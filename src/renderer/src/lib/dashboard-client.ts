/**
 * `RendererApi` over the browser dashboard's WebSocket, for the renderer served by
 * `npm run headless -- --ui`. It says hello with the per-launch token from the URL, queues calls
 * until the host welcomes it, reconnects with backoff when the socket drops, and then resumes the
 * pushes from the last journal seq it delivered (no gap, no duplicate). Exports and documents come
 * back as `{ kind: 'download', files }`; the page offers them (lib/deliver.ts in the renderer).
 */
import {
  OPERATION_NAMES,
  fail,
  methodPath,
  type HostEventName,
  type HostEvents,
  type OperationName,
  type RendererApi,
  type Result
} from '../../../shared/contract'
import {
  CLOSE_UNAUTHORIZED,
  DASHBOARD_SOCKET_PATH,
  TOKEN_PARAM,
  type ClientFrame,
  type HostFrame
} from '../../../shared/dashboard-protocol'

const TOKEN_KEY = 'ssim-dashboard-token'

/**
 * The token from `#token=...`, kept for this tab only (sessionStorage) so a reload still works, and
 * removed from the address bar so it is not copied along with the URL.
 */
// Structural types, so this file also compiles (and is tested) under Node's tsconfig.
interface PageLocation {
  hash: string
  pathname: string
  search: string
  host: string
}
interface PageStorage {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
}
interface PageHistory {
  replaceState(data: unknown, unused: string, url?: string): void
}

export function takeToken(
  location: PageLocation,
  storage: PageStorage,
  history: PageHistory
): string | null {
  const fromUrl = new URLSearchParams(location.hash.slice(1)).get(TOKEN_PARAM)
  if (fromUrl) {
    storage.setItem(TOKEN_KEY, fromUrl)
    history.replaceState(null, '', location.pathname + location.search)
    return fromUrl
  }
  return storage.getItem(TOKEN_KEY)
}

interface Pending {
  op: OperationName
  args: unknown[]
  resolve: (result: Result<unknown>) => void
  reject: (error: Error) => void
  sent: boolean
}

export interface DashboardClientOptions {
  url: string
  token: string | null
  /** Injected for tests. */
  WebSocketImpl?: typeof WebSocket
}

/** The socket's state as the page should show it; `message` says what happened when it is lost. */
export type ConnectionListener = (
  state: 'live' | 'lost',
  message?: string,
  refused?: boolean
) => void

export type DashboardApi = RendererApi & {
  /** Closes the socket for good (tests; a page simply goes away). */
  disconnect(): void
  /** Told when the socket drops (lost) and when the host welcomes it again (live). */
  onConnection(listener: ConnectionListener): () => void
}

export function connectDashboard(options: DashboardClientOptions): DashboardApi {
  const Socket = options.WebSocketImpl ?? WebSocket
  const listeners = new Map<HostEventName, Set<(payload: never) => void>>()
  const pending = new Map<number, Pending>()
  let nextId = 1
  let socket: WebSocket | undefined
  let welcomed = false
  let refused: string | null = options.token ? null : 'no token'
  let retryMs = 250
  /** Set once the page called session.ready: on every reconnect the host is told where we are. */
  let resumeFrom: number | null = null
  let disconnected = false

  const connectionListeners = new Set<ConnectionListener>()
  const report = (state: 'live' | 'lost', message?: string, refused?: boolean): void => {
    for (const listener of connectionListeners) listener(state, message, refused)
  }

  const emit = <E extends HostEventName>(event: E, payload: HostEvents[E]): void => {
    for (const listener of listeners.get(event) ?? [])
      (listener as (p: HostEvents[E]) => void)(payload)
  }

  const refusalMessage = (): string =>
    `This page cannot reach the engine (${refused}). Open the dashboard URL the engine printed when it started.`
  const refusal = (): Result<never> => fail('refused', refusalMessage())

  function sendFrame(frame: ClientFrame): void {
    socket?.send(JSON.stringify(frame))
  }

  function flush(): void {
    if (!welcomed) return
    for (const [id, call] of pending) {
      if (call.sent) continue
      call.sent = true
      sendFrame({ t: 'call', id, op: call.op, args: call.args })
    }
  }

  function request(op: OperationName, args: unknown[]): Promise<Result<unknown>> {
    if (refused) return Promise.resolve(refusal())
    return new Promise((resolve, reject) => {
      pending.set(nextId++, { op, args, resolve, reject, sent: false })
      flush()
    })
  }

  function onFrame(frame: HostFrame): void {
    if (frame.t === 'welcome') {
      welcomed = true
      retryMs = 250
      report('live')
      if (resumeFrom !== null) {
        // Not through `request`: it must go before any queued call, and its answer is ours.
        const id = nextId++
        pending.set(id, {
          op: 'session:ready',
          args: [{ afterSeq: resumeFrom }],
          resolve: () => undefined,
          reject: () => undefined,
          sent: true
        })
        sendFrame({ t: 'call', id, op: 'session:ready', args: [{ afterSeq: resumeFrom }] })
      }
      flush()
    } else if (frame.t === 'result' || frame.t === 'error') {
      const call = pending.get(frame.id)
      if (!call) return
      pending.delete(frame.id)
      if (frame.t === 'error') call.reject(new Error(frame.message))
      else call.resolve(frame.result)
    } else if (frame.t === 'push') {
      if (frame.event === 'journal') {
        // The host never repeats an entry; this keeps a reconnect's overlap from showing twice.
        const fresh = frame.payload.entries.filter((e) => resumeFrom === null || e.seq > resumeFrom)
        const last = fresh.at(-1)
        if (last) resumeFrom = last.seq
        if (fresh.length > 0) emit('journal', { entries: fresh })
      } else emit(frame.event, frame.payload as never)
    }
  }

  function open(): void {
    if (refused) return
    welcomed = false
    const ws = new Socket(options.url)
    socket = ws
    ws.onopen = () => sendFrame({ t: 'hello', token: options.token as string })
    // A failed connection also closes it; the close handler decides whether to retry.
    ws.onerror = () => undefined
    ws.onmessage = (message) => {
      try {
        onFrame(JSON.parse(String(message.data)) as HostFrame)
      } catch (error) {
        console.error('dashboard: a frame could not be read', error)
      }
    }
    ws.onclose = (event) => {
      if (socket !== ws) return
      welcomed = false
      // Calls already sent may or may not have run: say so; queued ones go after the reconnect.
      for (const [id, call] of pending) {
        if (!call.sent) continue
        pending.delete(id)
        call.resolve(
          fail(
            'outcome_unknown',
            'The connection to the engine dropped while this was sent; it may or may not have happened. Check the log, then try again if needed.'
          )
        )
      }
      if (disconnected) return
      if (event.code === CLOSE_UNAUTHORIZED) {
        refused = event.reason || 'the token was refused'
        for (const [id, call] of pending) {
          pending.delete(id)
          call.resolve(refusal())
        }
        report('lost', refusalMessage(), true)
        return
      }
      report('lost', 'The connection to the engine was lost.')
      setTimeout(open, retryMs)
      retryMs = Math.min(retryMs * 2, 5_000)
    }
  }

  const api: Record<string, Record<string, unknown>> = {}
  for (const name of OPERATION_NAMES) {
    const [domain, verb] = methodPath(name)
    api[domain] ??= {}
    ;(api[domain] as Record<string, unknown>)[verb] = async (args?: unknown) => {
      const result = await request(name, args === undefined ? [] : [args])
      if (name === 'session:ready' && result.ok) {
        const { afterSeq } = (args ?? {}) as { afterSeq?: number }
        resumeFrom = afterSeq ?? (result.data as { lastSeq: number }).lastSeq
      }
      return result
    }
  }
  open()
  return Object.assign(api, {
    disconnect() {
      disconnected = true
      refused = 'disconnected'
      socket?.close()
    },
    onConnection(listener: ConnectionListener) {
      connectionListeners.add(listener)
      return () => {
        connectionListeners.delete(listener)
      }
    },
    on<E extends HostEventName>(event: E, listener: (payload: HostEvents[E]) => void) {
      const set = listeners.get(event) ?? new Set()
      listeners.set(event, set)
      set.add(listener as (payload: never) => void)
      return () => {
        set.delete(listener as (payload: never) => void)
      }
    }
  }) as unknown as DashboardApi
}

/** The socket URL of the dashboard that served this page. */
export const dashboardSocketUrl = (location: PageLocation): string =>
  `ws://${location.host}${DASHBOARD_SOCKET_PATH}`
