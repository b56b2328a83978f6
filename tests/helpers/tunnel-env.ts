/**
 * A tunnel manager wired as the runtime will wire it, on loopback: the fake localtunnel service, the
 * real localtunnel client, our webhook server (with the probe route and a real signature verifier)
 * and, when asked, the emulator through the real SDK for webhook registration. The tunnel's clock
 * is manual: tests step backoff and check periods.
 */
import { randomBytes } from 'node:crypto'
import type { VerifiedEvent } from '../../src/main/engine/webhook-server'
import { createSignatureVerifier } from '../../src/main/engine/signature'
import { createWebhookServer, type WebhookServer } from '../../src/main/engine/webhook-server'
import { ensureWebhook, publicWebhookUrl } from '../../src/main/engine/webhook-registration'
import { sdkClient, type StarkClient } from '../../src/main/stark/client'
import { VirtualClock } from '../../src/main/time/clock'
import { nodeHttpGet } from '../../src/main/tunnel/http-get'
import {
  createTunnelManager,
  type TunnelManager,
  type TunnelManagerDeps
} from '../../src/main/tunnel/manager'
import { ProbeNonces } from '../../src/main/tunnel/probe'
import type { TunnelEvents, TunnelState } from '../../src/main/tunnel/types'
import { localhostLookup, startFakeLocaltunnel, type FakeLocaltunnel } from './fake-localtunnel'
import { recordingLogger } from './key-material'
import type { SdkEmulator } from './sdk-emulator'

export interface TunnelEnv {
  fake: FakeLocaltunnel
  clock: VirtualClock
  nonces: ProbeNonces
  server: WebhookServer
  port: number
  secret: string
  /** Events that reached the webhook server (signature verified). */
  received: VerifiedEvent[]
  logger: ReturnType<typeof recordingLogger>
  states: TunnelState[]
  events: { [K in keyof TunnelEvents]: TunnelEvents[K][] }
  catchUps: number
  stark?: StarkClient
  manager: TunnelManager
  /** Resolves with the first state (current or next) that satisfies `test`. */
  until(test: (state: TunnelState) => boolean): Promise<TunnelState>
  close(): Promise<void>
}

export async function startTunnelEnv(
  options: {
    emulator?: SdkEmulator
    manager?: Partial<TunnelManagerDeps>
    fake?: FakeLocaltunnel
    /** Bring-your-own-URL mode, the URL being our webhook server itself on loopback. */
    ownUrl?: boolean
  } = {}
): Promise<TunnelEnv> {
  const fake = options.fake ?? (await startFakeLocaltunnel())
  const clock = new VirtualClock({ start: Date.UTC(2026, 0, 5, 12), speed: 0 })
  const nonces = new ProbeNonces(() => clock.now())
  const secret = randomBytes(18).toString('base64url')
  const received: VerifiedEvent[] = []
  const stark = options.emulator ? sdkClient(options.emulator.sdk) : undefined
  const server = createWebhookServer({
    secret,
    probe: nonces,
    verifier: createSignatureVerifier({
      fetchPublicKey: () =>
        stark ? stark.fetchPublicKey() : Promise.reject(new Error('no Stark')),
      clock
    }),
    sink: {
      accept: async (event) => {
        received.push(event)
        return 'recorded'
      },
      rejected: () => undefined
    },
    onError: () => undefined
  })
  const { port, url: localUrl } = await server.start()
  const logger = recordingLogger()
  const states: TunnelState[] = []
  const events = { state: [], url: [], check: [], subdomainChanged: [] } as TunnelEnv['events']
  const env: TunnelEnv = {
    fake,
    clock,
    nonces,
    server,
    port,
    secret,
    received,
    logger,
    states,
    events,
    catchUps: 0,
    stark,
    manager: createTunnelManager({
      mode: options.ownUrl
        ? { kind: 'public-url', url: `http://127.0.0.1:${port}` }
        : { kind: 'localtunnel', host: fake.host },
      localPort: port,
      clock,
      logger,
      nonces,
      http: nodeHttpGet({ lookup: localhostLookup }),
      random: () => 0.5,
      timing: { probeTimeoutMs: 2_000, setupTimeoutMs: 3_000 },
      ...(stark
        ? {
            registerWebhook: (publicUrl: string) =>
              ensureWebhook(stark, publicWebhookUrl(publicUrl, localUrl), secret)
          }
        : {}),
      catchUp: async () => {
        env.catchUps++
      },
      ...options.manager
    }),
    until(test) {
      const now = env.manager.state()
      if (test(now)) return Promise.resolve(now)
      return new Promise((resolve) => {
        const off = env.manager.on('state', (state) => {
          if (!test(state)) return
          off()
          resolve(state)
        })
      })
    },
    async close() {
      await env.manager.stop()
      await server.stop()
      await fake.close()
      clock.stop()
    }
  }
  for (const name of Object.keys(events) as (keyof TunnelEvents)[]) {
    env.manager.on(name, (payload) => (events[name] as unknown[]).push(payload))
  }
  env.manager.on('state', (state) => states.push(state))
  return env
}
