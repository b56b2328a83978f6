/**
 * The webhook server over real HTTP on 127.0.0.1, verifying with the key the real SDK fetches from the
 * in-process emulator, and recording into a sink the test controls.
 */
import { sign } from 'node:crypto'
import { Agent } from 'node:http'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { pythonJsonDumps } from '../../src/main/emulator/py-json'
import { createSignatureVerifier } from '../../src/main/engine/signature'
import {
  createWebhookServer,
  type AcceptResult,
  type RejectionInfo,
  type VerifiedEvent,
  type WebhookServer
} from '../../src/main/engine/webhook-server'
import { sdkClient } from '../../src/main/stark/client'
import { VirtualClock } from '../../src/main/time/clock'
import { send, type Reply } from '../helpers/http-send'
import { startSdkEmulator, type SdkEmulator } from '../helpers/sdk-emulator'

const SECRET = 'test-secret-0123456789abcdef'
const MAX = 4 * 1024

let env: SdkEmulator
let server: WebhookServer
let url: string
let accepted: { event: VerifiedEvent; raw: Buffer }[]
let rejected: RejectionInfo[]
let errors: unknown[]
let onAccept: (event: VerifiedEvent) => Promise<AcceptResult>

beforeAll(async () => {
  env = await startSdkEmulator()
})
afterAll(() => env.stop())

beforeEach(async () => {
  accepted = []
  rejected = []
  errors = []
  onAccept = async () => 'recorded'
  server = createWebhookServer({
    secret: SECRET,
    maxBodyBytes: MAX,
    stopGraceMs: 300,
    verifier: createSignatureVerifier({
      clock: new VirtualClock({ start: 0 }),
      fetchPublicKey: sdkClient(env.sdk).fetchPublicKey
    }),
    sink: {
      accept: (event, raw) => {
        accepted.push({ event, raw })
        return onAccept(event)
      },
      rejected: (info) => rejected.push(info)
    },
    onError: (error) => errors.push(error)
  })
  url = (await server.start()).url
})
afterEach(() => server.stop())

const signature = (body: string | Buffer): string =>
  sign('sha256', Buffer.from(body), env.emulator.core.state.signingKey.privatePem).toString(
    'base64'
  )

function eventBody(id = '5415223380934656'): string {
  return pythonJsonDumps({
    event: {
      created: '2026-05-04T12:00:01.123456+00:00',
      id,
      log: {
        id: '4687457496858624',
        invoice: { amount: 25600, fee: 0, fine: 2 },
        type: 'credited'
      },
      subscription: 'invoice',
      workspaceId: '5078376503050240'
    }
  })
}

const deliver = (body: string, sig = signature(body)): Promise<Reply> =>
  send(url, { body, headers: { 'Digital-Signature': sig } })

describe('accepted deliveries', () => {
  it('When a signed event arrives, Then the 200 is sent only after the sink has recorded it', async () => {
    const body = eventBody()
    let record!: (result: AcceptResult) => void
    let reached!: () => void
    const acceptReached = new Promise<void>((resolve) => (reached = resolve))
    onAccept = () => {
      reached()
      return new Promise<AcceptResult>((resolve) => (record = resolve))
    }
    let answered = false
    const reply = deliver(body).then((r) => ((answered = true), r))
    await acceptReached
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(answered).toBe(false)
    record('recorded')
    expect(await reply).toMatchObject({ status: 200, body: { ok: true, result: 'recorded' } })
    expect(accepted).toHaveLength(1)
    expect(accepted[0]!.raw.equals(Buffer.from(body))).toBe(true)
    expect(accepted[0]!.event).toMatchObject({
      id: '5415223380934656',
      subscription: 'invoice',
      log: { type: 'credited' }
    })
    expect(url).toBe(`http://127.0.0.1:${new URL(url).port}/stark/webhook/${SECRET}`)
    expect(rejected).toEqual([])
  })

  it('When the sink says duplicate or ignored, Then Stark still gets 200 so it stops retrying', async () => {
    onAccept = async () => 'duplicate'
    expect(await deliver(eventBody('1'))).toMatchObject({
      status: 200,
      body: { result: 'duplicate' }
    })
    onAccept = async () => 'ignored'
    expect(await deliver(eventBody('2'))).toMatchObject({
      status: 200,
      body: { result: 'ignored' }
    })
  })

  it('When Stark keeps the connection alive, Then consecutive deliveries share one socket', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    try {
      const replies: Reply[] = []
      for (const body of [eventBody('1'), eventBody('2')]) {
        replies.push(
          await send(url, { body, agent, headers: { 'Digital-Signature': signature(body) } })
        )
      }
      expect(replies.map((r) => [r.status, r.reusedSocket])).toEqual([
        [200, false],
        [200, true]
      ])
    } finally {
      agent.destroy()
    }
  })

  it('When the sink fails to record, Then 500, so Stark retries later', async () => {
    onAccept = async () => {
      throw new Error('disk full')
    }
    expect(await deliver(eventBody())).toMatchObject({ status: 500, body: { ok: false } })
    expect(errors).toHaveLength(1)
  })
})

describe('rejected deliveries', () => {
  const expectRejected = (status: number): void => {
    expect(accepted).toEqual([])
    expect(rejected).toHaveLength(1)
    expect(rejected[0]!.status).toBe(status)
    expect(rejected[0]!.preview.length).toBeLessThanOrEqual(200)
  }

  it('When one byte of a signed body is changed, Then 400 and the sink records nothing', async () => {
    const body = eventBody()
    const reply = await deliver(body.replace('25600', '25601'), signature(body))
    expect(reply.status).toBe(400)
    expectRejected(400)
    expect(rejected[0]!.preview).toBe(body.replace('25600', '25601').slice(0, 200))
  })

  it('When the signature header is missing, Then 401', async () => {
    expect((await send(url, { body: eventBody() })).status).toBe(401)
    expectRejected(401)
  })

  it('When a validly signed body is not an event, Then 400 and the sink records nothing', async () => {
    for (const body of ['{"event": {"id": 1}}', 'not json at all']) {
      expect((await deliver(body)).status).toBe(400)
    }
    expect(accepted).toEqual([])
    expect(rejected.map((r) => r.status)).toEqual([400, 400])
    expect(rejected[1]!.reason).toMatch(/not an event/)
  })

  it('When the secret path is wrong, Then 404 whatever the method', async () => {
    const wrong = url.replace(SECRET, SECRET.slice(0, -1) + 'X')
    const body = eventBody()
    expect(
      (await send(wrong, { body, headers: { 'Digital-Signature': signature(body) } })).status
    ).toBe(404)
    expect((await send(url.replace(`/${SECRET}`, ''), { method: 'GET' })).status).toBe(404)
    expect(accepted).toEqual([])
    // Strangers are counted, not journaled: without the secret nobody can grow the journal.
    expect(rejected).toEqual([])
    expect(server.strangers()).toBe(2)
  })

  it('When the method is GET, Then 405 with Allow: POST', async () => {
    const reply = await send(url, { method: 'GET' })
    expect(reply.status).toBe(405)
    expect(reply.headers.allow).toBe('POST')
    expect(rejected).toEqual([])
    expect(server.strangers()).toBe(1)
  })

  it('When Content-Length declares too much, Then 413 and the connection is closed without reading', async () => {
    const reply = await send(url, { declareBytes: 10 * 1024 * 1024 })
    expect(reply.status).toBe(413)
    expect(reply.headers.connection).toBe('close')
    expectRejected(413)
    expect(rejected[0]).toMatchObject({ bytes: 10 * 1024 * 1024, preview: '' })
  })

  it('When a chunked body runs past the limit, Then 413 as soon as it does, with Connection: close', async () => {
    const reply = await send(url, { streamBytes: 1024 * 1024 })
    expect(reply.status).toBe(413)
    expect(reply.headers.connection).toBe('close')
    expectRejected(413)
    expect(rejected[0]!.bytes).toBeGreaterThan(MAX)
    expect(rejected[0]!.bytes).toBeLessThan(1024 * 1024)
    expect(rejected[0]!.preview).toBe('x'.repeat(200))
  })

  it('When a chunked body stays within the limit, Then it is read and verified like any other', async () => {
    const reply = await send(url, {
      streamBytes: 2048,
      headers: { 'Digital-Signature': signature('x') }
    })
    expect(reply.status).toBe(400)
    expect(rejected[0]).toMatchObject({ status: 400, bytes: 2048 })
  })
})

describe('failures and shutdown', () => {
  it("When Stark's public key cannot be fetched, Then 503 and the reason goes to onError", async () => {
    const failing = createWebhookServer({
      secret: SECRET,
      verifier: createSignatureVerifier({
        clock: new VirtualClock({ start: 0 }),
        fetchPublicKey: async () => {
          throw new Error('getaddrinfo ENOTFOUND')
        }
      }),
      sink: { accept: async () => 'recorded', rejected: () => undefined },
      onError: (error) => errors.push(error)
    })
    const { url: failingUrl } = await failing.start()
    try {
      const body = eventBody()
      const reply = await send(failingUrl, {
        body,
        headers: { 'Digital-Signature': signature(body) }
      })
      expect(reply.status).toBe(503)
      expect(String(errors[0])).toMatch(/network/)
    } finally {
      await failing.stop()
    }
  })

  it('When stopped while a delivery waits on the sink, Then stop() returns within its grace period', async () => {
    onAccept = () => new Promise<AcceptResult>(() => undefined)
    const pending = deliver(eventBody()).catch((error: unknown) => error)
    while (accepted.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    const started = performance.now()
    await server.stop()
    expect(performance.now() - started).toBeLessThan(2_000)
    // The delivery never got a 200, so Stark would retry it.
    expect(await pending).toBeInstanceOf(Error)
  })

  it('When the secret is short or not URL-safe, Then the server refuses to start', () => {
    const base = {
      verifier: { verify: async () => 'valid' as const },
      sink: { accept: async () => 'recorded' as const, rejected: () => undefined },
      onError: () => undefined
    }
    expect(() => createWebhookServer({ ...base, secret: 'short' })).toThrow(/16 characters/)
    expect(() => createWebhookServer({ ...base, secret: 'a/b/c/d/e/f/g/h/i/j' })).toThrow(
      /16 characters/
    )
  })
})
