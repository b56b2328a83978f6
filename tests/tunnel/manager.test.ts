/**
 * The tunnel manager against the fake localtunnel service with the real client, our real webhook
 * server and, for registration, the emulator through the real SDK. The tunnel clock is manual.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { publicWebhookUrl } from '../../src/main/engine/webhook-registration'
import { sdkClient } from '../../src/main/stark/client'
import type { TunnelState } from '../../src/main/tunnel/types'
import { startSdkEmulator, type SdkEmulator } from '../helpers/sdk-emulator'
import { startTunnelEnv, type TunnelEnv } from '../helpers/tunnel-env'
import { localhostLookup, resolveLocalhostNames } from '../helpers/fake-localtunnel'
import { nodeHttpGet } from '../../src/main/tunnel/http-get'

type Up = Extract<TunnelState, { status: 'up' }>
type Down = Extract<TunnelState, { status: 'down' }>
const isUp = (s: TunnelState): s is Up => s.status === 'up'
const isDown = (s: TunnelState): s is Down => s.status === 'down'

/** With random() = 0.5 and a 1 s base: equal jitter gives 3/4 of the doubling ceiling. */
const expectedDelay = (failures: number): number =>
  0.75 * Math.min(60_000, 1_000 * 2 ** (failures - 1))

describe('tunnel manager', () => {
  let env: TunnelEnv | undefined
  let emulator: SdkEmulator | undefined
  let restoreDns: (() => void) | undefined

  afterEach(async () => {
    await env?.close()
    await emulator?.stop()
    restoreDns?.()
    env = emulator = restoreDns = undefined
  })

  it('When the tunnel drops five times, Then it comes back after each backoff, the webhook follows every new URL, no stale one is left, and the emulator’s events arrive through it', async () => {
    emulator = await startSdkEmulator()
    // The emulator posts to <id>.localhost like any URL; this machine's resolver needs help.
    restoreDns = resolveLocalhostNames()
    env = await startTunnelEnv({ emulator })
    const stark = sdkClient(emulator.sdk)
    const localUrl = `http://127.0.0.1:${env.port}/stark/webhook/${env.secret}`

    const first = await env.manager.start()
    expect(first.status).toBe('up')
    await env.manager.idle()
    const seenUrls = [(first as Up).url]
    expect(env.catchUps).toBe(1)

    for (let drop = 1; drop <= 5; drop++) {
      const before = env.manager.state() as Up
      expect(before.webhook).toMatchObject({ status: 'registered', url: before.url })
      const id = new URL(before.url).hostname.split('.')[0]!
      env.fake.drop(id)
      const down = (await env.until(isDown)) as Down
      expect(down.problem).toBe('dropped')
      expect(down.reason).toMatch(/The tunnel service dropped the tunnel \(connection refused/)
      expect(down.nextTry - env.clock.now()).toBe(expectedDelay(drop))

      // Nothing happens before the backoff is over: no request to the service, no new tunnel.
      const asked = env.fake.controlRequests.length
      await env.clock.advance(expectedDelay(drop) - 1)
      await env.manager.idle()
      expect(env.fake.controlRequests.length).toBe(asked)
      expect(env.manager.state().status).toBe('down')

      await env.clock.advance(1)
      const up = (await env.until(isUp)) as Up
      await env.manager.idle()
      expect(env.fake.controlRequests.length).toBe(asked + 1)
      expect(seenUrls).not.toContain(up.url)
      seenUrls.push(up.url)
      expect((env.manager.state() as Up).webhook).toMatchObject({
        status: 'registered',
        url: up.url
      })
      expect((await stark.listWebhooks()).map((w) => w.url)).toEqual([
        publicWebhookUrl(up.url, localUrl)
      ])
      expect(env.catchUps).toBe(drop + 1)
    }
    // One drop, one `down`: the client's three per-socket errors counted once each time.
    expect(env.states.filter((s) => s.status === 'down')).toHaveLength(5)
    expect(env.events.url.map((e) => e.url)).toEqual(seenUrls)

    // Stark's side of the path: the emulator posts invoice events to the public URL.
    const [invoice] = await stark.createInvoices([
      { amount: 1_500, name: 'Ana Souza', taxId: '012.345.678-90', tags: ['tunnel-test'] }
    ])
    await emulator.emulator.clock.advance(0)
    expect(env.received.map((e) => (e.log as { invoice?: { id?: string } }).invoice?.id)).toContain(
      invoice!.id
    )
    const current = new URL((env.manager.state() as Up).url).host
    expect(env.fake.publicRequests.some((r) => r.host === current && r.status === 200)).toBe(true)
  })

  it('When the tunnel stays up a whole check interval, Then the next drop starts the backoff again from 1 s', async () => {
    env = await startTunnelEnv()
    await env.manager.start()
    env.fake.drop()
    await env.until(isDown)
    await env.clock.advance(expectedDelay(1))
    await env.until(isUp)
    await env.manager.idle()
    const checks = env.events.check.length
    await env.clock.advance(60_000)
    await env.manager.idle()
    expect(env.events.check.length).toBe(checks + 1)
    const up = env.manager.state() as Up
    expect(up.lastCheck).toBe(env.clock.now())
    env.fake.drop()
    const down = (await env.until(isDown)) as Down
    expect(down.attempt).toBe(1)
    expect(down.nextTry - env.clock.now()).toBe(expectedDelay(1))
  })

  it('When the service shows its reminder page whatever the headers, Then the check says so and the tunnel is not called up', async () => {
    env = await startTunnelEnv()
    env.fake.publicMode('reminder-always')
    const state = (await env.manager.start()) as Down
    expect(state.status).toBe('down')
    expect(state.problem).toBe('reminder')
    expect(state.reason).toMatch(/reminder web page .* Stark’s webhooks would get that page too/)
    expect(env.events.check.at(-1)).toMatchObject({ ok: false, problem: 'reminder' })
  })

  it('When a browser would get the reminder page, Then the probe still passes: it is not a browser and sends the bypass header', async () => {
    env = await startTunnelEnv()
    const state = (await env.manager.start()) as Up
    expect(state.status).toBe('up')
    const probe = env.fake.publicRequests.find((r) => r.path.startsWith('/stark/probe/'))
    expect(probe?.userAgent).toMatch(/reachability-probe/)
    expect(probe?.status).toBe(200)
    const browser = await nodeHttpGet({ lookup: localhostLookup })(state.url, {
      timeoutMs: 2_000,
      headers: { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0' }
    })
    expect(browser.body).toMatch(/Friendly Reminder/)
  })

  it('When the public side answers 503, Then a check says the service has no working tunnel, and the tunnel is reopened', async () => {
    env = await startTunnelEnv()
    await env.manager.start()
    env.fake.publicMode('503')
    const check = await env.manager.checkNow()
    expect(check).toMatchObject({ ok: false, problem: 'unavailable' })
    const down = env.manager.state() as Down
    expect(down.reason).toMatch(/answered 503 .* no working tunnel/)
    env.fake.publicMode('forward')
    await env.clock.advance(expectedDelay(1))
    expect((await env.until(isUp)).status).toBe('up')
  })

  it('When the tunnel is dead (its requests go nowhere), Then the periodic check says so in words', async () => {
    env = await startTunnelEnv()
    await env.manager.start()
    await env.manager.idle()
    // The local server is gone: the client keeps retrying it and the public request hangs.
    await env.server.stop()
    await env.clock.advance(60_000)
    await env.manager.idle()
    const down = env.manager.state() as Down
    expect(down.status).toBe('down')
    expect(down.problem).toBe('dead')
    expect(down.reason).toMatch(
      /reachability check through http:\/\/.* failed: (nothing answered within 2 s|the connection was cut before an answer came)\./
    )
  })

  it('When the service answers 503 to setup, Then each try is one request, spaced by the backoff, and none goes on after stop', async () => {
    env = await startTunnelEnv()
    env.fake.answer503(3)
    const first = (await env.manager.start()) as Down
    expect(first.problem).toBe('setup')
    expect(first.reason).toMatch(/answered 503: it cannot open tunnels right now/)
    expect(env.fake.controlRequests).toHaveLength(1)
    for (let failures = 1; failures <= 2; failures++) {
      await env.clock.advance(expectedDelay(failures))
      await env.manager.idle()
      expect(env.fake.controlRequests).toHaveLength(failures + 1)
      expect((env.manager.state() as Down).attempt).toBe(failures + 1)
    }
    await env.manager.stop()
    // The library's own setup would retry every second, forever, even after close(): wait past it.
    await new Promise((resolve) => setTimeout(resolve, 1_300))
    expect(env.fake.controlRequests).toHaveLength(3)
    expect(env.manager.state()).toEqual({ status: 'stopped' })
  })

  it('When the service never answers, Then setup gives up at its deadline and says so', async () => {
    env = await startTunnelEnv({ manager: { timing: { setupTimeoutMs: 300 } } })
    env.fake.hang(true)
    const state = (await env.manager.start()) as Down
    expect(state.reason).toMatch(/did not answer within 0 s|did not answer within/)
    expect(state.problem).toBe('setup')
  })

  it('When a subdomain is asked for, Then it is used; when the service silently gives another, Then that is said and the webhook follows', async () => {
    emulator = await startSdkEmulator()
    const fake = await (await import('../helpers/fake-localtunnel')).startFakeLocaltunnel()
    env = await startTunnelEnv({
      emulator,
      fake,
      manager: { mode: { kind: 'localtunnel', host: fake.host, subdomain: 'ssim-demo-room' } }
    })
    const first = (await env.manager.start()) as Up
    expect(new URL(first.url).hostname).toBe('ssim-demo-room.localhost')
    expect(first.notice).toBeUndefined()
    await env.manager.idle()

    fake.replaceSubdomains(true)
    fake.drop()
    await env.until(isDown)
    await env.clock.advance(expectedDelay(1))
    const second = (await env.until(isUp)) as Up
    await env.manager.idle()
    expect(new URL(second.url).hostname).not.toBe('ssim-demo-room.localhost')
    expect(second.notice).toMatch(
      /asked the tunnel service for “ssim-demo-room” and it gave “.+” instead/
    )
    expect(env.events.subdomainChanged).toEqual([
      {
        requested: 'ssim-demo-room',
        granted: new URL(second.url).hostname.split('.')[0],
        url: second.url
      }
    ])
    const hooks = await sdkClient(emulator.sdk).listWebhooks()
    expect(hooks.map((h) => new URL(h.url).origin)).toEqual([new URL(second.url).origin])
  })

  it('When the service refuses the subdomain, Then the state says which and what to do', async () => {
    const fake = await (await import('../helpers/fake-localtunnel')).startFakeLocaltunnel()
    fake.refuse('ssim-taken')
    env = await startTunnelEnv({
      fake,
      manager: { mode: { kind: 'localtunnel', host: fake.host, subdomain: 'ssim-taken' } }
    })
    const state = (await env.manager.start()) as Down
    expect(state.reason).toMatch(
      /refused the subdomain “ssim-taken” \(HTTP 403: Invalid subdomain.*\)\. Choose another one/
    )
  })

  it('When given an invalid subdomain, tunnel host or public URL, Then the manager refuses to start with what to give instead', async () => {
    const { createTunnelManager } = await import('../../src/main/tunnel/manager')
    const { ProbeNonces } = await import('../../src/main/tunnel/probe')
    const { VirtualClock } = await import('../../src/main/time/clock')
    const clock = new VirtualClock({ start: 0 })
    const base = { localPort: 1, clock, logger: console, nonces: new ProbeNonces(() => 0) }
    expect(() =>
      createTunnelManager({ ...base, mode: { kind: 'localtunnel', subdomain: '-bad-' } })
    ).toThrow(/4 to 63 lowercase/)
    expect(() =>
      createTunnelManager({ ...base, mode: { kind: 'localtunnel', host: 'localtunnel.me' } })
    ).toThrow(/must look like https:\/\/localtunnel.me/)
    expect(() =>
      createTunnelManager({ ...base, mode: { kind: 'public-url', url: 'http://example.com' } })
    ).toThrow(/only to https:\/\//)
    expect(() =>
      createTunnelManager({ ...base, mode: { kind: 'public-url', url: 'not a url' } })
    ).toThrow(/is not a URL/)
  })

  it('When the user brings their own public URL, Then it is checked and registered, and a failed check backs off and recovers', async () => {
    emulator = await startSdkEmulator()
    env = await startTunnelEnv({ emulator, ownUrl: true })
    const ownUrl = `http://127.0.0.1:${env.port}`
    const up = (await env.manager.start()) as Up
    await env.manager.idle()
    expect(up.url).toBe(ownUrl)
    expect(env.fake.controlRequests).toHaveLength(0)
    const hooks = await sdkClient(emulator.sdk).listWebhooks()
    expect(hooks.map((h) => h.url)).toEqual([`${ownUrl}/stark/webhook/${env.secret}`])

    await env.server.stop()
    const check = await env.manager.checkNow()
    expect(check).toMatchObject({ ok: false, problem: 'dead' })
    expect((env.manager.state() as Down).reason).toMatch(/connection was refused/)
    await env.clock.advance(expectedDelay(1))
    await env.manager.idle()
    expect((env.manager.state() as Down).attempt).toBe(2)
  })

  it('When a state listener throws, Then the manager carries on and logs it', async () => {
    env = await startTunnelEnv()
    env.manager.on('state', () => {
      throw new Error('window closed')
    })
    expect((await env.manager.start()).status).toBe('up')
    expect(env.logger.lines.some((l) => /a state listener failed: window closed/.test(l))).toBe(
      true
    )
  })

  it('When stopped while connecting, Then the tunnel being opened is closed and the state is stopped', async () => {
    env = await startTunnelEnv()
    const starting = env.manager.start()
    await env.manager.stop()
    await starting
    await env.manager.idle()
    expect(env.manager.state()).toEqual({ status: 'stopped' })
    await new Promise((resolve) => setTimeout(resolve, 50))
    for (const id of env.fake.ids()) expect(env.fake.sockets(id)).toBe(0)
  })
})
