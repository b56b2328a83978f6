/**
 * The public webhook URL that heals itself. Electron-free; the runtime owns one and wires it:
 *
 *   const nonces = new ProbeNonces(tunnelClock.now.bind(tunnelClock))
 *   // the webhook server gets `probe: nonces` (createWebhookServer option)
 *   const tunnel = createTunnelManager({
 *     mode, localPort: webhookPort, clock: tunnelClock, logger, nonces,
 *     registerWebhook: (publicUrl) => sim.registerWebhook(publicWebhookUrl(publicUrl, ...)),
 *     catchUp: () => sim.catchUp()
 *   })
 *   tunnel.on('state', (s) => journal / front ends)
 *   await tunnel.start() ... await tunnel.stop()
 *
 * Lifecycle: connecting -> up (url, last check) | down (reason, next try) -> connecting ... and
 * stopped. A tunnel is dropped on the client's `error` or `close` (the client never recovers by
 * itself, and emits one error per dead socket: the first one counts, the rest of that tunnel's are
 * ignored) or on a failed reachability check; it is closed and reopened after an exponential backoff
 * with jitter, so never in a tight loop. Each reopening may bring a new URL: the webhook is then
 * registered again (old ones deleted by `registerWebhook`) and a catch-up sweep asked for, so
 * events Stark sent meanwhile are not lost. With the user's own public URL there is no tunnel to
 * reopen; the same checks, registration and backoff apply.
 *
 * The clock must run at wall speed (its own VirtualClock at speed 1, or a manual one in tests), never
 * the emulator's accelerated clock: backoff and check periods are real durations.
 */
import { AppError } from '../../shared/errors'
import type { Logger } from '../engine/context'
import type { Clock, TimerId } from '../time/clock'
import { backoffDelay } from './backoff'
import { nodeHttpGet, type HttpGet } from './http-get'
import {
  DEFAULT_TUNNEL_HOST,
  openLocaltunnel,
  SUBDOMAIN_PATTERN,
  type OpenedTunnel,
  type OpenTunnelOptions
} from './localtunnel-client'
import { probePublicUrl, type ProbeNonces } from './probe'
import {
  DEFAULT_TIMING,
  type DownProblem,
  type TunnelCheck,
  type TunnelEvents,
  type TunnelListener,
  type TunnelMode,
  type TunnelState,
  type WebhookSync
} from './types'

export interface TunnelManagerDeps {
  mode: TunnelMode
  /** The local webhook server's port: what the tunnel forwards to. */
  localPort: number
  /** Where that server listens (default 127.0.0.1). */
  localHost?: string
  clock: Clock
  logger: Logger
  /** Shared with the webhook server (its `probe` option), which answers only these. */
  nonces: ProbeNonces
  http?: HttpGet
  /** Points this installation's Stark webhook at `publicUrl` (and deletes its stale ones). */
  registerWebhook?: (publicUrl: string) => Promise<unknown>
  /** Runs after each (re)connection: the runtime wires `simulator.catchUp()`. */
  catchUp?: () => Promise<unknown>
  random?: () => number
  /** Opens a tunnel; default the localtunnel client. */
  open?: (options: OpenTunnelOptions) => Promise<OpenedTunnel>
  timing?: Partial<typeof DEFAULT_TIMING>
  /**
   * The caller records each up/down itself (the runtime journals them): then they are not logged
   * here too, or a terminal shows every change twice.
   */
  statesRecorded?: boolean
}

export interface TunnelManager {
  /** Resolves after the first attempt (up or down); retries go on in the background. */
  start(): Promise<TunnelState>
  stop(): Promise<void>
  state(): TunnelState
  on<K extends keyof TunnelEvents>(event: K, listener: TunnelListener<K>): () => void
  /** Checks reachability now (a "check now" button); undefined unless up. */
  checkNow(): Promise<TunnelCheck | undefined>
  /** Resolves when no attempt, check or registration is in flight (tests, shutdown). */
  idle(): Promise<void>
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$|\.localhost$/

/**
 * The mode as the manager will use it (trailing slashes cut, default host filled in), or an
 * `invalid_args` AppError saying what to give instead; exported so that a front end refuses a bad
 * value before anything starts.
 */
export function checkMode(mode: TunnelMode): TunnelMode {
  if (mode.kind === 'public-url') {
    let url: URL
    try {
      url = new URL(mode.url)
    } catch {
      throw new AppError('invalid_args', `${mode.url} is not a URL. Give the https:// address.`)
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.test(url.hostname))) {
      throw new AppError(
        'invalid_args',
        `Stark delivers webhooks only to https:// addresses; ${mode.url} is not one. Give the ` +
          'https address your tunnel or proxy shows (ngrok, cloudflared...).'
      )
    }
    return { kind: 'public-url', url: mode.url.replace(/\/+$/, '') }
  }
  const host = mode.host ?? DEFAULT_TUNNEL_HOST
  if (!/^https?:\/\/[^/\s]+\/?$/.test(host)) {
    throw new AppError(
      'invalid_args',
      `The tunnel host must look like https://localtunnel.me (got ${host}).`
    )
  }
  if (mode.subdomain !== undefined && !SUBDOMAIN_PATTERN.test(mode.subdomain)) {
    throw new AppError(
      'invalid_args',
      `“${mode.subdomain}” cannot be a localtunnel subdomain: use 4 to 63 lowercase letters, ` +
        'digits or dashes, not starting or ending with a dash.'
    )
  }
  return { ...mode, host }
}

const describe = (error: unknown): string =>
  error instanceof Error ? error.message : `unexpected failure: ${String(error)}`

export function createTunnelManager(deps: TunnelManagerDeps): TunnelManager {
  const mode = checkMode(deps.mode)
  const { clock, logger, nonces } = deps
  const timing = { ...DEFAULT_TIMING, ...deps.timing }
  const policy = { baseMs: timing.backoffBaseMs, maxMs: timing.backoffMaxMs }
  const http = deps.http ?? nodeHttpGet()
  const open = deps.open ?? openLocaltunnel
  const random = deps.random ?? Math.random
  const listeners = new Map<keyof TunnelEvents, Set<(payload: never) => void>>()
  const tasks = new Set<Promise<unknown>>()

  let state: TunnelState = { status: 'stopped' }
  let running = false
  /** Bumped by every drop and by stop: work begun in an older epoch is discarded. */
  let epoch = 0
  let tunnel: OpenedTunnel | undefined
  let failures = 0
  let registrationFailures = 0
  let registeredUrl: string | undefined
  let lastUrl: string | undefined
  let timer: TimerId | undefined
  let registrationTimer: TimerId | undefined

  function emit<K extends keyof TunnelEvents>(event: K, payload: TunnelEvents[K]): void {
    for (const listener of listeners.get(event) ?? []) {
      try {
        ;(listener as TunnelListener<K>)(payload)
      } catch (error) {
        // A front end that went away must not break the tunnel.
        logger.error(`tunnel: a ${event} listener failed: ${describe(error)}`)
      }
    }
  }

  function setState(next: TunnelState): void {
    state = next
    emit('state', next)
  }

  function track(work: Promise<unknown>): void {
    tasks.add(work)
    void work.finally(() => tasks.delete(work))
  }

  function cancelTimers(): void {
    if (timer !== undefined) clock.cancel(timer)
    if (registrationTimer !== undefined) clock.cancel(registrationTimer)
    timer = registrationTimer = undefined
  }

  function closeTunnel(): void {
    const closing = tunnel
    tunnel = undefined
    closing?.close()
  }

  function down(reason: string, problem: DownProblem): void {
    if (!running) return
    epoch++
    cancelTimers()
    closeTunnel()
    failures++
    const delay = backoffDelay(failures, random, policy)
    const nextTry = clock.now() + delay
    if (!deps.statesRecorded)
      logger.warn(`tunnel down: ${reason} Next try in ${Math.ceil(delay / 1000)} s.`)
    setState({ status: 'down', reason, problem, nextTry, attempt: failures })
    timer = clock.at(nextTry, () => {
      timer = undefined
      track(connect())
    })
  }

  function withWebhook(webhook: WebhookSync): void {
    if (state.status === 'up') setState({ ...state, webhook })
  }

  async function syncWebhook(my: number): Promise<void> {
    if (!deps.registerWebhook || state.status !== 'up' || my !== epoch) return
    const url = state.url
    if (registeredUrl === url) return
    try {
      await deps.registerWebhook(url)
      if (my !== epoch) return
      registeredUrl = url
      registrationFailures = 0
      logger.info(`tunnel: Stark webhook now points at ${url}`)
      withWebhook({ status: 'registered', url, at: clock.now() })
    } catch (error) {
      if (my !== epoch) return
      registrationFailures++
      const nextTry = clock.now() + backoffDelay(registrationFailures, random, policy)
      const reason = `The webhook could not be registered at Stark: ${describe(error)}`
      logger.warn(`tunnel: ${reason}`)
      withWebhook({ status: 'failed', reason, nextTry })
      registrationTimer = clock.at(nextTry, () => {
        registrationTimer = undefined
        track(syncWebhook(my))
      })
    }
  }

  async function probe(url: string, my: number): Promise<TunnelCheck | undefined> {
    const verdict = await probePublicUrl(url, { http, nonces, timeoutMs: timing.probeTimeoutMs })
    if (my !== epoch) return undefined
    const check: TunnelCheck = verdict.ok
      ? { at: clock.now(), url, ok: true }
      : { at: clock.now(), url, ok: false, problem: verdict.problem, message: verdict.message }
    emit('check', check)
    if (!verdict.ok) down(verdict.message, verdict.problem)
    return check
  }

  function scheduleCheck(my: number): void {
    timer = clock.at(clock.now() + timing.checkIntervalMs, () => {
      timer = undefined
      track(periodicCheck(my))
    })
  }

  async function periodicCheck(my: number): Promise<TunnelCheck | undefined> {
    if (my !== epoch || state.status !== 'up') return undefined
    const check = await probe(state.url, my)
    if (!check?.ok || state.status !== 'up') return check
    // Up for a whole check interval: the next drop starts the backoff from the beginning again.
    failures = 0
    setState({ ...state, lastCheck: check.at })
    scheduleCheck(my)
    return check
  }

  async function connect(): Promise<void> {
    if (!running) return
    const my = epoch
    setState({ status: 'connecting', attempt: failures + 1, since: clock.now() })
    const notices: string[] = []
    let url: string
    if (mode.kind === 'localtunnel') {
      let opened: OpenedTunnel
      try {
        opened = await open({
          host: mode.host as string,
          port: deps.localPort,
          localHost: deps.localHost ?? '127.0.0.1',
          subdomain: mode.subdomain,
          timeoutMs: timing.setupTimeoutMs,
          http
        })
      } catch (error) {
        if (my === epoch) down(describe(error), 'setup')
        return
      }
      if (my !== epoch) {
        opened.close()
        return
      }
      tunnel = opened
      opened.onDrop((reason) => {
        if (my === epoch && tunnel === opened)
          down(`The tunnel service dropped the tunnel (${reason}).`, 'dropped')
      })
      url = opened.url
      if (mode.subdomain && opened.id !== mode.subdomain) {
        notices.push(
          `You asked the tunnel service for “${mode.subdomain}” and it gave “${opened.id}” ` +
            'instead (the name is taken, perhaps still by this app’s previous tunnel). The ' +
            `webhook follows the new address, ${url}.`
        )
        emit('subdomainChanged', { requested: mode.subdomain, granted: opened.id, url })
        logger.warn(`tunnel: ${notices[0]}`)
      }
    } else {
      url = mode.url
    }
    if (url.startsWith('http://') && !LOOPBACK.test(new URL(url).hostname)) {
      notices.push(`${url} is not https: Stark delivers webhooks only to https addresses.`)
    }
    const check = await probe(url, my)
    if (!check?.ok || my !== epoch) return
    if (url !== lastUrl) {
      emit('url', { url, previous: lastUrl })
      lastUrl = url
    }
    if (!deps.statesRecorded) logger.info(`tunnel up at ${url}`)
    setState({
      status: 'up',
      url,
      since: check.at,
      lastCheck: check.at,
      ...(notices.length ? { notice: notices.join(' ') } : {}),
      ...(deps.registerWebhook
        ? {
            webhook:
              registeredUrl === url
                ? { status: 'registered', url, at: check.at }
                : { status: 'pending' }
          }
        : {})
    })
    scheduleCheck(my)
    await syncWebhook(my)
    if (my !== epoch || !deps.catchUp) return
    try {
      await deps.catchUp()
    } catch (error) {
      logger.warn(`tunnel: the catch-up sweep after reconnecting failed: ${describe(error)}`)
    }
  }

  async function idle(): Promise<void> {
    while (tasks.size > 0) await Promise.allSettled([...tasks])
  }

  return {
    async start() {
      if (running) return state
      running = true
      epoch++
      failures = 0
      // Stark's side may have changed while stopped: the first URL is always registered again.
      registeredUrl = undefined
      const first = connect()
      track(first)
      await first
      return state
    },

    async stop() {
      if (!running) return
      running = false
      epoch++
      cancelTimers()
      closeTunnel()
      setState({ status: 'stopped' })
      await idle()
    },

    state: () => state,

    on(event, listener) {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      set.add(listener as (payload: never) => void)
      return () => void set.delete(listener as (payload: never) => void)
    },

    async checkNow() {
      if (state.status !== 'up') return undefined
      if (timer !== undefined) clock.cancel(timer)
      timer = undefined
      const work = periodicCheck(epoch)
      track(work)
      return work
    },

    idle
  }
}
