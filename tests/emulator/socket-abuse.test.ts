/**
 * 600 hostile sockets (an unauthenticated body each, then idle) and 600 silent ones against the
 * emulator: its memory stays bounded and its API keeps answering the real SDK. The emulator runs in
 * this process, where its memory can be read; the sockets come from a child process, so that their
 * buffers are not counted here. The figures are printed for the report. Then the rules behind it:
 * which connection the cap closes, and the head and body timeouts.
 */
import type { Invoice } from 'starkbank'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterEach, describe, expect, it } from 'vitest'
import { CliProcess, killAllChildren } from '../helpers/cli-process'
import { closedByServer, openSocket, readAnswer, requestHead } from '../helpers/raw-socket'
import { signedHeaders } from '../helpers/raw-client'
import { startSdkEmulator, type SdkEmulator } from '../helpers/sdk-emulator'

const SOCKETS = 600
/** What each hostile socket sends after its head: before the fix the emulator kept all of it. */
const BODY_BYTES = 384 * 1024
/**
 * Generous bounds: 600 x 384 KiB held is 225 MiB of buffers (233 MiB of RSS before the fix), while
 * what the emulator keeps for the sockets it holds is a few MiB. RSS also carries the allocator's
 * unreturned pages (up to +33 MiB seen during a full `npm test`), hence its wider bound.
 */
const RSS_BOUND = 128 * 1024 * 1024
const HEAP_AND_BUFFERS_BOUND = 64 * 1024 * 1024

let env: SdkEmulator | undefined
afterEach(async () => {
  await killAllChildren()
  await env?.stop()
  env = undefined
})

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

// Collecting garbage before each reading measures what the emulator holds, not what it dropped.
setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void

/** Lets the event loop take in whatever the sockets sent, then collects garbage. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve))
  collectGarbage()
}

describe('the emulator under a socket flood', () => {
  it('When 600 sockets send unauthenticated bodies and 600 more stay silent, Then memory stays bounded and the SDK is still served', async () => {
    env = await startSdkEmulator({ behaviour: { autoPayRatio: 0 } })
    const sdk = env.sdk
    expect((await sdk.balance.get()).amount).toBe(0)
    await settle()
    const before = process.memoryUsage()

    const flood = new CliProcess('tests/helpers/socket-flood.ts', [
      String(env.emulator.port),
      String(SOCKETS),
      String(BODY_BYTES)
    ])
    const ready = await flood.waitForJson((line) => line.ready === true, 120_000, 'flood ready')

    // The API answers through the SDK while the sockets are held.
    const [invoice] = await sdk.invoice.create([
      { amount: 4321, name: 'Ana Souza', taxId: '012.345.678-90' } as unknown as Invoice
    ])
    expect((await sdk.invoice.get(invoice!.id)).amount).toBe(4321)
    expect((await sdk.balance.get()).amount).toBe(0)
    await settle()
    const after = process.memoryUsage()

    flood.kill('SIGUSR2')
    const status = await flood.waitForJson(
      (line) => typeof line.open === 'number' && !('ready' in line),
      10_000,
      'flood status'
    )

    const growth = {
      rss: after.rss - before.rss,
      heapUsed: after.heapUsed - before.heapUsed,
      buffers: after.arrayBuffers - before.arrayBuffers
    }
    console.log(
      `socket flood: ${2 * SOCKETS} sockets (${SOCKETS} x ${mib(BODY_BYTES)} bodies); ` +
        `rss ${mib(before.rss)} -> ${mib(after.rss)} (+${mib(growth.rss)}), ` +
        `heap +${mib(growth.heapUsed)}, buffers +${mib(growth.buffers)}; ` +
        `emulator holds ${env.emulator.connections.open()} (cap ${env.emulator.connections.max}), ` +
        `closed ${env.emulator.connections.evicted()} for room; flood at ready: ${JSON.stringify(ready)}, ` +
        `later: ${JSON.stringify(status)}`
    )
    expect(growth.rss).toBeLessThan(RSS_BOUND)
    expect(growth.heapUsed + growth.buffers).toBeLessThan(HEAP_AND_BUFFERS_BOUND)
    // Connections are capped: most of the 1,200 were closed by the emulator to make room.
    const { connections } = env.emulator
    expect(connections.open()).toBeLessThanOrEqual(connections.max)
    // Starting the child and 1,200 connects take seconds on a busy 2-core machine.
  }, 120_000)
})

describe('the connection cap', () => {
  it('When a new connection comes at the cap, Then the oldest silent socket makes room, not a keep-alive client', async () => {
    env = await startSdkEmulator({ front: { maxConnections: 3 } })
    const port = env.emulator.port
    const get = requestHead('GET', '/_emulator/clock', { Host: `127.0.0.1:${port}` })
    const client = await openSocket(port)
    client.write(get)
    expect((await readAnswer(client)).status).toBe(200)
    const silent1 = await openSocket(port)
    const silent2 = await openSocket(port)
    const newcomer = await openSocket(port)
    try {
      await closedByServer(silent1)
      newcomer.write(get)
      expect((await readAnswer(newcomer)).status).toBe(200)
      client.write(get)
      expect((await readAnswer(client)).status).toBe(200)
      expect(silent2.destroyed).toBe(false)
    } finally {
      for (const socket of [client, silent1, silent2, newcomer]) socket.destroy()
    }
  })
})

describe('timeouts', () => {
  it('When a socket sends nothing, or a head and then too little body, Then the emulator closes it', async () => {
    env = await startSdkEmulator({ front: { headersTimeoutMs: 300, requestTimeoutMs: 600 } })
    const port = env.emulator.port
    const silent = await openSocket(port)
    const slow = await openSocket(port)
    try {
      slow.write(
        requestHead('POST', '/v2/invoice', {
          Host: `127.0.0.1:${port}`,
          'Content-Type': 'application/json',
          'Content-Length': 100,
          ...signedHeaders(env.projectId, env.keys.privatePem, 'x'.repeat(100))
        }) + 'x'.repeat(10)
      )
      await closedByServer(silent)
      await closedByServer(slow)
      expect((await env.sdk.balance.get()).amount).toBe(0)
    } finally {
      silent.destroy()
      slow.destroy()
    }
  })
})
