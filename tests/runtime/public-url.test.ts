/**
 * The runtime's public webhook URL, end to end on loopback: the embedded emulator registers the
 * public URL through the real SDK and delivers through the fake localtunnel service and the real
 * localtunnel client to the engine's webhook server; the tunnel drops and comes back; the user's own
 * URL is checked and registered. The tunnel waits real time, shortened by the tuning.
 */
import { createServer } from 'node:net'
import starkbank from 'starkbank'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { OWNER_PARAM, publicWebhookUrl } from '../../src/main/engine/webhook-registration'
import type { Runtime } from '../../src/main/runtime/runtime'
import { sdkClient } from '../../src/main/stark/client'
import type { PublicUrlStatus } from '../../src/shared/contract'
import type { EntryOf, JournalEntry } from '../../src/shared/journal'
import { describeEntry } from '../../src/shared/describe'
import {
  resolveLocalhostNames,
  startFakeLocaltunnel,
  type FakeLocaltunnel
} from '../helpers/fake-localtunnel'
import { runtimeBench, type RuntimeBench } from './helpers'

const TUNING = {
  timing: { backoffBaseMs: 50, backoffMaxMs: 400, probeTimeoutMs: 2_000, setupTimeoutMs: 3_000 },
  random: () => 0.5
}

type TunnelEntry = EntryOf<'tunnel.state'>

let bench: RuntimeBench
let fake: FakeLocaltunnel
let restoreDns: () => void
beforeEach(async () => {
  bench = await runtimeBench()
  fake = await startFakeLocaltunnel()
  // The emulator posts to <id>.localhost like to any URL; this machine's resolver needs help.
  restoreDns = resolveLocalhostNames()
})
afterEach(async () => {
  await bench.cleanup()
  await fake.close()
  restoreDns()
})

/** Resolves when `test` holds for the runtime's public URL status (now or after a change). */
function until(runtime: Runtime, test: (s: PublicUrlStatus) => boolean): Promise<PublicUrlStatus> {
  const now = runtime.status().publicUrl
  if (now && test(now)) return Promise.resolve(now)
  return new Promise((resolve) => {
    const off = runtime.onChange((status) => {
      if (!status.publicUrl || !test(status.publicUrl)) return
      off()
      resolve(status.publicUrl)
    })
  })
}

const isUp = (s: PublicUrlStatus): boolean => s.state === 'up' && s.webhook?.state === 'registered'

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('public webhook URL', () => {
  it('When a full run at high speed goes through the tunnel and the tunnel drops five times, Then the run completes with its invariants, the webhook followed every new URL and no stale one is left at the emulator', async () => {
    const entries: JournalEntry[] = []
    const registered = new Set<string>()
    const { runtime } = bench.runtime({
      target: { kind: 'embedded', speed: 900 },
      tunnel: { host: fake.host },
      publicUrlTuning: TUNING,
      onSimulator: (sim) => sim.subscribe({}, (batch) => void entries.push(...batch))
    })
    runtime.onChange((s) => {
      if (s.publicUrl?.webhook?.url) registered.add(s.publicUrl.webhook.url)
    })
    await runtime.start()
    const first = runtime.status().publicUrl as PublicUrlStatus
    expect(first).toMatchObject({ mode: 'localtunnel', host: fake.host, state: 'up' })
    expect(first.webhook).toMatchObject({ state: 'registered' })
    expect(first.lastCheckAt).not.toBeNull()
    const urls = [first.url as string]

    const sim = runtime.simulator
    await sim.startRun({ batches: 8, intervalMs: 30 * 60_000, settleMs: 60 * 60_000 })
    const issued = (batch: string): boolean =>
      entries.some((e) => e.type === 'batch.issued' && e.batch === batch)
    for (let drop = 1; drop <= 5; drop++) {
      // One drop per issued batch, so that each falls while invoices are being paid.
      await expect.poll(() => issued(`b${drop}`), { timeout: 60_000, interval: 50 }).toBe(true)
      const before = runtime.status().publicUrl as PublicUrlStatus
      fake.drop(new URL(before.url as string).hostname.split('.')[0])
      await until(runtime, (s) => s.state === 'down')
      const back = await until(runtime, (s) => isUp(s) && !urls.includes(s.url as string))
      urls.push(back.url as string)
    }
    await expect
      .poll(() => entries.some((e) => e.type === 'run.completed'), {
        timeout: 120_000,
        interval: 100
      })
      .toBe(true)
    await sim.idle()

    const report = await runtime.verify()
    expect(report.problems).toEqual([])
    expect(report.ok).toBe(true)
    expect(report.checked.credited).toBeGreaterThan(0)
    expect(report.checked.transfers).toBe(report.checked.credited)

    // The webhook followed each of the six URLs; Stark (the emulator) holds only the last one.
    const local = runtime.webhookUrl as string
    expect(new Set(urls).size).toBe(6)
    expect([...registered].sort()).toEqual(urls.map((u) => publicWebhookUrl(u, local)).sort())
    const hooks = await sdkClient(starkbank).listWebhooks()
    expect(hooks.map((h) => h.url)).toEqual([publicWebhookUrl(urls[5] as string, local)])

    // The emulator's deliveries took the public path, and the engine took them.
    const delivered = fake.publicRequests.filter(
      (r) => r.path.startsWith('/stark/webhook/') && r.status === 200
    )
    expect(delivered.length).toBeGreaterThan(0)
    const viaWebhook = entries.filter((e) => e.type === 'event.received' && e.source === 'webhook')
    expect(viaWebhook.length).toBeGreaterThan(0)

    // Every change is in the journal: six times up (one per URL), five times down, in words.
    const tunnel = entries.filter((e): e is TunnelEntry => e.type === 'tunnel.state')
    expect(tunnel.filter((e) => e.state === 'up').map((e) => e.url)).toEqual(urls)
    const downs = tunnel.filter((e) => e.state === 'down')
    expect(downs).toHaveLength(5)
    for (const down of downs) {
      expect(down.reason).toMatch(/The tunnel service dropped the tunnel/)
      expect(down.nextTryAt).toEqual(expect.any(Number))
      expect(down.runId).toBeNull()
      expect(describeEntry(down)).toMatch(/^tunnel down: The tunnel service dropped .* Next try at/)
    }

    await runtime.stop()
    const last = entries.filter((e) => e.type === 'tunnel.state').at(-1) as TunnelEntry
    expect(last.state).toBe('stopped')
    expect(runtime.status().publicUrl?.state).toBe('stopped')
    // The client's sockets are closed: the service forgets the tunnel after its grace period.
    await expect.poll(() => fake.ids(), { timeout: 5_000 }).toEqual([])
  }, 240_000)

  it('When the tunnel service shows its reminder page, Then the self-test says so and nothing is registered; once it forwards, the tunnel comes up and the webhook is registered', async () => {
    fake.publicMode('reminder-always')
    const entries: JournalEntry[] = []
    const { runtime } = bench.runtime({
      target: { kind: 'embedded', speed: 0 },
      tunnel: { host: fake.host },
      publicUrlTuning: TUNING,
      onSimulator: (sim) => sim.subscribe({}, (batch) => void entries.push(...batch))
    })
    await runtime.start()
    const down = runtime.status().publicUrl as PublicUrlStatus
    expect(down.state).toBe('down')
    expect(down.reason).toMatch(/reminder web page .* Stark’s webhooks would get that page too/)
    expect(down.nextTryAt).toEqual(expect.any(Number))
    // Not even the local URL: Stark (here the emulator) cannot reach 127.0.0.1.
    expect(await sdkClient(starkbank).listWebhooks()).toEqual([])

    fake.publicMode('forward')
    const up = await until(runtime, isUp)
    const hooks = await sdkClient(starkbank).listWebhooks()
    expect(hooks.map((h) => h.url)).toEqual([
      publicWebhookUrl(up.url as string, runtime.webhookUrl as string)
    ])
    await runtime.simulator.idle()
    const states = entries
      .filter((e): e is TunnelEntry => e.type === 'tunnel.state')
      .map((e) => e.state)
    expect(states.slice(0, 2)).toEqual(['connecting', 'down'])
    expect(states.at(-1)).toBe('up')
  })

  it('When the tunnel dies while up, Then the periodic self-test says so, and it is reopened', async () => {
    const { runtime } = bench.runtime({
      target: { kind: 'embedded', speed: 0 },
      tunnel: { host: fake.host },
      publicUrlTuning: { ...TUNING, timing: { ...TUNING.timing, checkIntervalMs: 100 } }
    })
    await runtime.start()
    const first = await until(runtime, isUp)
    fake.publicMode('503')
    const down = await until(runtime, (s) => s.state === 'down')
    expect(down.reason).toMatch(/answered 503 .* no working tunnel for this address/)
    expect(down.url).toBe(first.url)
    fake.publicMode('forward')
    expect((await until(runtime, isUp)).state).toBe('up')
  })

  it('When the tunnel service stays away, Then every retry is spaced by the backoff, and the journal holds one down entry, not one per retry', async () => {
    const entries: JournalEntry[] = []
    const nowhere = `http://127.0.0.1:${await freePort()}`
    const { runtime } = bench.runtime({
      target: { kind: 'embedded', speed: 0 },
      tunnel: { host: nowhere },
      publicUrlTuning: TUNING,
      onSimulator: (sim) => sim.subscribe({}, (batch) => void entries.push(...batch))
    })
    const downs: PublicUrlStatus[] = []
    runtime.onChange((s) => {
      if (s.publicUrl?.state === 'down' && s.publicUrl.nextTryAt !== downs.at(-1)?.nextTryAt)
        downs.push(s.publicUrl)
    })
    await runtime.start()
    await expect.poll(() => downs.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(4)
    expect(downs[0]!.reason).toMatch(
      new RegExp(`Cannot reach the tunnel service ${nowhere}: it refused the connection`)
    )
    // Each try starts no sooner than the last one's next try; then waits its own doubled delay.
    const delay = (failures: number): number => 0.75 * Math.min(400, 50 * 2 ** (failures - 1))
    for (let i = 1; i < downs.length; i++)
      expect(downs[i]!.nextTryAt! - downs[i - 1]!.nextTryAt!).toBeGreaterThanOrEqual(delay(i + 1))
    await runtime.simulator.idle()
    const tunnel = entries.filter((e): e is TunnelEntry => e.type === 'tunnel.state')
    expect(tunnel.map((e) => e.state)).toEqual(['connecting', 'down'])
  })

  it('When the user gives their own public URL, Then it is checked and registered (tagged with the owner), no tunnel is asked for; a dead one is said and retried', async () => {
    const port = await freePort()
    const own = `http://127.0.0.1:${port}`
    const { runtime } = bench.runtime({
      target: { kind: 'embedded', speed: 0 },
      webhook: { port },
      publicUrl: own,
      webhookOwner: { installationId: 'abcdefghijkl2345' },
      publicUrlTuning: TUNING
    })
    await runtime.start()
    const up = runtime.status().publicUrl as PublicUrlStatus
    expect(up).toMatchObject({ mode: 'public-url', host: null, state: 'up', url: own })
    const hooks = await sdkClient(starkbank).listWebhooks()
    expect(hooks).toHaveLength(1)
    const hook = new URL(hooks[0]!.url)
    expect(`${hook.origin}${hook.pathname}`).toBe(
      `${own}${new URL(runtime.webhookUrl as string).pathname}`
    )
    expect(hook.searchParams.get(OWNER_PARAM)).toMatch(/^abcdefghijkl2345\.[0-9a-f]{10}$/)
    expect(up.webhook).toEqual({ state: 'registered', url: hooks[0]!.url, reason: null })
    expect(fake.controlRequests).toEqual([])
    await runtime.stop()

    // Nothing listens at the address now: the self-test says so, and the runtime still starts.
    const dead = `http://127.0.0.1:${await freePort()}`
    const second = bench.runtime({
      target: { kind: 'embedded', speed: 0 },
      stateDir: `${bench.dir}/second`,
      publicUrl: dead,
      publicUrlTuning: TUNING
    }).runtime
    await second.start()
    const refused = second.status().publicUrl as PublicUrlStatus
    expect(refused.state).toBe('down')
    expect(refused.reason).toMatch(
      new RegExp(`reachability check through ${dead} failed: the connection was refused`)
    )
  })

  it('When both a tunnel and a public URL are given, or a public URL that is not https, Then start is refused with what to give instead', async () => {
    const both = bench.runtime({
      target: { kind: 'embedded', speed: 0 },
      tunnel: {},
      publicUrl: 'https://example.org'
    }).runtime
    await expect(both.start()).rejects.toMatchObject({ code: 'invalid_args' })
    const plain = bench.runtime({
      target: { kind: 'embedded', speed: 0 },
      stateDir: `${bench.dir}/plain`,
      publicUrl: 'http://example.org'
    }).runtime
    await expect(plain.start()).rejects.toThrow(/only to https:\/\/ addresses/)
  })
})
