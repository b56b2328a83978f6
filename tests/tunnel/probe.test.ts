import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createWebhookServer, type WebhookServer } from '../../src/main/engine/webhook-server'
import { VirtualClock } from '../../src/main/time/clock'
import { nodeHttpGet } from '../../src/main/tunnel/http-get'
import { ProbeNonces, probePublicUrl, probeUrl } from '../../src/main/tunnel/probe'

const http = nodeHttpGet()

function webhookServer(probe?: ProbeNonces): WebhookServer {
  return createWebhookServer({
    secret: randomBytes(18).toString('base64url'),
    probe,
    verifier: { verify: async () => 'invalid' },
    sink: { accept: async () => 'recorded', rejected: () => undefined },
    onError: () => undefined
  })
}

describe('probe route and verdicts', () => {
  const cleanup: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const fn of cleanup.splice(0)) await fn()
  })

  it('When a nonce was issued, Then the webhook server echoes it; any other, expired or POSTed probe is a stranger', async () => {
    const clock = new VirtualClock({ start: 0 })
    const nonces = new ProbeNonces(() => clock.now(), 60_000)
    const server = webhookServer(nonces)
    const { port } = await server.start()
    cleanup.push(() => server.stop())
    const base = `http://127.0.0.1:${port}`

    const nonce = nonces.issue()
    const ok = await http(probeUrl(base, nonce), { timeoutMs: 2_000 })
    expect([ok.status, ok.body]).toEqual([200, nonce])

    const unknown = await http(probeUrl(base, randomBytes(18).toString('base64url')), {
      timeoutMs: 2_000
    })
    expect(unknown.status).toBe(404)
    const posted = await fetch(probeUrl(base, nonce), { method: 'POST' })
    expect(posted.status).toBe(404)
    await clock.advance(60_000)
    expect((await http(probeUrl(base, nonce), { timeoutMs: 2_000 })).status).toBe(404)
    expect(server.strangers()).toBe(3)
  })

  it('When the webhook server has no probe responder, Then the probe path is a stranger like any other', async () => {
    const nonces = new ProbeNonces(() => 0)
    const server = webhookServer()
    const { port } = await server.start()
    cleanup.push(() => server.stop())
    const res = await http(probeUrl(`http://127.0.0.1:${port}`, nonces.issue()), {
      timeoutMs: 2_000
    })
    expect(res.status).toBe(404)
  })

  it('When the nonces outnumber the bound, Then the oldest are forgotten', () => {
    const nonces = new ProbeNonces(() => 0, 60_000, 4)
    const issued = Array.from({ length: 6 }, () => nonces.issue())
    expect(issued.map((n) => nonces.answers(n))).toEqual([false, false, true, true, true, true])
  })

  it('When something else answers 200 at the address, Then the verdict is "foreign", said in words', async () => {
    const other: Server = createServer((_req, res) => res.end('hello from another app'))
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve))
    cleanup.push(() => new Promise((resolve) => other.close(() => resolve())))
    const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}`
    const verdict = await probePublicUrl(url, {
      http,
      nonces: new ProbeNonces(() => 0),
      timeoutMs: 2_000
    })
    expect(verdict).toMatchObject({ ok: false, problem: 'foreign' })
    expect(!verdict.ok && verdict.message).toMatch(/Something answered .* but it is not this app/)
  })
})
