/**
 * The runtime's public webhook URL: a localtunnel tunnel it opens (and heals), or the user's own URL
 * (ngrok, cloudflared, a reverse proxy) that it only checks. Either way the same three duties:
 * - whenever the public URL is known or changes, this installation's Stark webhook is pointed at
 *   `<public URL>/stark/webhook/<secret>` through the engine, which deletes the stale ones;
 * - after each (re)connection a catch-up sweep runs, so events Stark sent meanwhile are not lost;
 * - every change of state is journaled (`tunnel.state`) and shown in the runtime's status.
 *
 * Against an emulator this is the whole path a real delivery takes: the emulator is told the public
 * URL like Stark would be, and posts through the tunnel.
 *
 * The tunnel waits real seconds (backoff, check period) whatever Stark's speed, so it runs on its own
 * wall-speed clock, never the emulator's accelerated one.
 */
import type { PublicUrlStatus } from '../../shared/contract'
import type { Logger } from '../engine/context'
import type { Simulator } from '../engine/simulator'
import { publicWebhookUrl, type WebhookOwner } from '../engine/webhook-registration'
import { VirtualClock, type RealTime } from '../time/clock'
import type { HttpGet } from '../tunnel/http-get'
import type { OpenedTunnel, OpenTunnelOptions } from '../tunnel/localtunnel-client'
import { checkMode, createTunnelManager, type TunnelManager } from '../tunnel/manager'
import { ProbeNonces } from '../tunnel/probe'
import type { TunnelMode, TunnelState, TunnelTiming } from '../tunnel/types'

/** Test and tuning seams of the tunnel manager; the defaults are the product's. */
export interface PublicUrlTuning {
  timing?: Partial<TunnelTiming>
  http?: HttpGet
  random?: () => number
  open?: (options: OpenTunnelOptions) => Promise<OpenedTunnel>
}

export interface PublicUrlDeps {
  mode: TunnelMode
  realTime: RealTime
  logger: Logger
  tuning?: PublicUrlTuning
  /** Told after every change the status shows. */
  onChange: () => void
}

export interface PublicUrlLink {
  /** Given to the webhook server (its `probe` option): it answers only the nonces issued here. */
  readonly nonces: ProbeNonces
  /** Opens the tunnel (or checks the URL) once the engine listens; resolves after the first try. */
  start(wiring: {
    simulator: Simulator
    /** The local webhook URL: its path (with the secret) is kept under the public base. */
    localWebhookUrl: string
    localPort: number
    localHost: string
    /** Registers a webhook URL at Stark, retrying transient failures (the runtime's). */
    register: (url: string) => Promise<unknown>
    owner?: WebhookOwner
  }): Promise<void>
  /** Closes the tunnel; idempotent. */
  stop(): Promise<void>
  status(): PublicUrlStatus
}

type Journaled = Parameters<Simulator['recordTunnelState']>[0]

export function createPublicUrl(deps: PublicUrlDeps): PublicUrlLink {
  const mode = checkMode(deps.mode)
  const clock = new VirtualClock({
    start: deps.realTime(),
    speed: 1,
    realTime: deps.realTime,
    gated: false
  })
  const nonces = new ProbeNonces(() => clock.now())
  let manager: TunnelManager | undefined
  let sim: Simulator | undefined
  let lastUrl: string | null = null
  let lastCheckAt: number | null = null
  let webhookUrl: string | null = null
  let journaled: string | undefined
  let stopped = false

  const kind = mode.kind
  const host = mode.kind === 'localtunnel' ? (mode.host ?? null) : null

  function journal(state: TunnelState): void {
    const body: Journaled =
      state.status === 'up'
        ? {
            type: 'tunnel.state',
            mode: kind,
            state: 'up',
            url: state.url,
            reason: null,
            nextTryAt: null,
            ...(state.notice ? { notice: state.notice } : {})
          }
        : state.status === 'down'
          ? {
              type: 'tunnel.state',
              mode: kind,
              state: 'down',
              url: lastUrl,
              reason: state.reason,
              nextTryAt: state.nextTry
            }
          : {
              type: 'tunnel.state',
              mode: kind,
              state: state.status,
              url: kind === 'public-url' ? mode.url : null,
              reason: null,
              nextTryAt: null
            }
    // A passed periodic check or a webhook step re-emits `up`. A retry after `down` is not news (the
    // down entry said when it would come), and neither is failing again for the same reason: a
    // tunnel service that stays away for hours leaves one entry, not two a minute.
    if (body.state === 'connecting' && journaled?.startsWith('down\n')) return
    const key = `${body.state}\n${body.url}\n${body.reason}`
    if (key === journaled) return
    journaled = key
    sim?.recordTunnelState(body)
  }

  function status(): PublicUrlStatus {
    const state = manager?.state() ?? { status: 'connecting' as const }
    const base = {
      mode: kind,
      host,
      url: lastUrl,
      lastCheckAt,
      reason: null,
      nextTryAt: null,
      notice: null,
      webhook: null
    }
    switch (state.status) {
      case 'stopped':
        return { ...base, state: 'stopped' }
      case 'connecting':
        return { ...base, state: 'connecting' }
      case 'down':
        return { ...base, state: 'down', reason: state.reason, nextTryAt: state.nextTry }
      case 'up': {
        const w = state.webhook
        return {
          ...base,
          state: 'up',
          url: state.url,
          notice: state.notice ?? null,
          webhook: !w
            ? null
            : w.status === 'registered'
              ? { state: 'registered', url: webhookUrl, reason: null }
              : w.status === 'failed'
                ? { state: 'failed', url: null, reason: w.reason }
                : { state: 'pending', url: null, reason: null }
        }
      }
    }
  }

  return {
    nonces,
    async start(wiring) {
      if (manager || stopped) return
      sim = wiring.simulator
      manager = createTunnelManager({
        mode,
        localPort: wiring.localPort,
        localHost: wiring.localHost,
        clock,
        logger: deps.logger,
        statesRecorded: true,
        nonces,
        http: deps.tuning?.http,
        random: deps.tuning?.random,
        open: deps.tuning?.open,
        timing: deps.tuning?.timing,
        registerWebhook: async (publicBase) => {
          const url = publicWebhookUrl(publicBase, wiring.localWebhookUrl, wiring.owner)
          await wiring.register(url)
          webhookUrl = url
        },
        catchUp: () => wiring.simulator.catchUp()
      })
      manager.on('check', (check) => {
        if (check.ok) lastCheckAt = check.at
      })
      manager.on('url', ({ url }) => (lastUrl = url))
      manager.on('state', (state) => {
        journal(state)
        deps.onChange()
      })
      await manager.start()
    },
    async stop() {
      if (stopped) return
      stopped = true
      try {
        await manager?.stop()
      } finally {
        clock.stop()
      }
    },
    status
  }
}
