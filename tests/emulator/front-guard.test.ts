/**
 * The emulator's front under abuse: a web page cannot drive it through DNS rebinding (foreign Host or
 * Origin refused on API and control routes alike), bodies are refused before they are read when auth
 * or routing says no, and deeply nested JSON is a 400 with Stark's envelope, not a 500.
 */
import type { Invoice } from 'starkbank'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEmulator } from '../../src/main/emulator/emulator'
import { controlJson, rawRequest, signedHeaders, type RawResponse } from '../helpers/raw-client'
import { openSocket, readAnswer, requestHead } from '../helpers/raw-socket'
import { starkErrors, startSdkEmulator, type SdkEmulator } from '../helpers/sdk-emulator'
import { generateKeyPair } from '../../src/main/stark/keys'
import { connectStark } from '../../src/main/stark/sdk'

let env: SdkEmulator

beforeAll(async () => {
  env = await startSdkEmulator({ behaviour: { maxBodyBytes: 64 * 1024, autoPayRatio: 0 } })
})
afterAll(() => env.stop())

const codes = (body: unknown): string[] =>
  ((body as { errors?: { code: string }[] }).errors ?? []).map((e) => e.code)

const EVIL = 'rebind.example:8080'

const asInvoices = (items: Record<string, unknown>[]): Invoice[] => items as unknown as Invoice[]

/** A control call as a rebinding page would send it: JSON, but with the attacker's Host. */
const control = (
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string>
): Promise<RawResponse> =>
  rawRequest(
    env.emulator.url,
    method,
    path,
    body === undefined ? undefined : JSON.stringify(body),
    headers
  )

const clockNow = async (): Promise<number> =>
  ((await controlJson(env.emulator.url, 'GET', '/_emulator/clock')).body as { nowMs: number }).nowMs

describe('Host and Origin', () => {
  it('When control requests come with a foreign Host, Then faults, clock, payments and registration are refused and nothing changes', async () => {
    const [invoice] = await env.sdk.invoice.create(
      asInvoices([{ amount: 1234, name: 'Ana Souza', taxId: '012.345.678-90' }])
    )
    const before = await clockNow()
    const host = { Host: EVIL }
    const answers = [
      await control('GET', '/_emulator/state', undefined, host),
      await control('PUT', '/_emulator/faults', { apiErrorRate: 1 }, host),
      await control('POST', '/_emulator/clock', { advanceSeconds: 3600 }, host),
      await control('POST', `/_emulator/invoices/${invoice!.id}/pay`, undefined, host),
      await control('POST', '/_emulator/projects', { publicKey: env.emulator.publicKey }, host)
    ]
    for (const answer of answers) {
      expect(answer.status).toBe(403)
      expect(codes(answer.body)).toEqual(['invalidHost'])
      expect((answer.body as { errors: { message: string }[] }).errors[0]?.message).toContain(
        env.emulator.url
      )
    }
    expect(await clockNow()).toBe(before)
    expect((await controlJson(env.emulator.url, 'GET', '/_emulator/faults')).body).toMatchObject({
      apiErrorRate: 0
    })
    expect((await env.sdk.invoice.get(invoice!.id)).status).toBe('created')
  })

  it('When a correctly signed API request comes with a foreign Host, Then it is refused', async () => {
    const answer = await rawRequest(env.emulator.url, 'GET', '/v2/balance', undefined, {
      ...signedHeaders(env.projectId, env.keys.privatePem, ''),
      Host: EVIL
    })
    expect(answer.status).toBe(403)
    expect(codes(answer.body)).toEqual(['invalidHost'])
  })

  it('When a request with a good Host carries a foreign Origin (or "null"), Then it is refused on API and control routes', async () => {
    const before = await clockNow()
    for (const origin of ['http://rebind.example:8080', 'null', `https://localhost:1`]) {
      const clock = await control(
        'POST',
        '/_emulator/clock',
        { advanceSeconds: 60 },
        { Origin: origin }
      )
      expect(clock.status).toBe(403)
      expect(codes(clock.body)).toEqual(['invalidOrigin'])
      const api = await rawRequest(env.emulator.url, 'GET', '/v2/balance', undefined, {
        ...signedHeaders(env.projectId, env.keys.privatePem, ''),
        Origin: origin
      })
      expect(api.status).toBe(403)
      expect(codes(api.body)).toEqual(['invalidOrigin'])
    }
    expect(await clockNow()).toBe(before)
  })

  it("When the emulator's own names are used (127.0.0.1, localhost, the SDK's sandbox host, its own origin), Then requests are served", async () => {
    const port = env.emulator.port
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'sandbox.api.starkbank.com']) {
      const answer = await control('GET', '/_emulator/clock', undefined, { Host: host })
      expect(answer.status).toBe(200)
    }
    const sameOrigin = await control('GET', '/_emulator/clock', undefined, {
      Origin: env.emulator.url
    })
    expect(sameOrigin.status).toBe(200)
    // The SDK goes through the transport seam with Host: sandbox.api.starkbank.com.
    expect((await env.sdk.balance.get()).amount).toBe(0)
  })

  it('When another port of localhost is named, Then it is refused: the allow-list is exact', async () => {
    const answer = await control('GET', '/_emulator/clock', undefined, {
      Host: `localhost:${env.emulator.port + 1}`
    })
    expect(answer.status).toBe(403)
  })

  it('When extra hosts are configured (a TLS front, say), Then exactly those are added', async () => {
    const emulator = await startEmulator({
      speed: 0,
      allowedHosts: ['emulator.test:8443']
    })
    try {
      const ok = await rawRequest(emulator.url, 'GET', '/_emulator/clock', undefined, {
        Host: 'emulator.test:8443'
      })
      expect(ok.status).toBe(200)
      emulator.allowHost('late.test:9443')
      const late = await rawRequest(emulator.url, 'GET', '/_emulator/clock', undefined, {
        Host: 'late.test:9443'
      })
      expect(late.status).toBe(200)
      const other = await rawRequest(emulator.url, 'GET', '/_emulator/clock', undefined, {
        Host: 'emulator.test:9999'
      })
      expect(other.status).toBe(403)
    } finally {
      await emulator.stop()
    }
  })
})

describe('bodies refused before they are read', () => {
  it('When an unauthenticated POST sends only its head (a body of unknown length to follow), Then it is refused at once and the connection closed', async () => {
    const socket = await openSocket(env.emulator.port)
    try {
      socket.write(
        requestHead('POST', '/v2/invoice', {
          Host: `127.0.0.1:${env.emulator.port}`,
          'Content-Type': 'application/json',
          'Transfer-Encoding': 'chunked'
        })
      )
      // Not one byte of body was sent: an answer can only come from the head.
      const answer = await readAnswer(socket)
      expect(answer.status).toBe(400)
      expect(codes(answer.body)).toEqual(['invalidCredentials'])
      expect(answer.headers.connection).toBe('close')
    } finally {
      socket.destroy()
    }
  })

  it('When an unauthenticated POST declares a body far over the limit, Then it is refused before the body is sent', async () => {
    const socket = await openSocket(env.emulator.port)
    try {
      socket.write(
        requestHead('POST', '/v2/transfer', {
          Host: `127.0.0.1:${env.emulator.port}`,
          'Content-Type': 'application/json',
          'Content-Length': 50 * 1024 * 1024
        })
      )
      const answer = await readAnswer(socket)
      expect(answer.status).toBe(400)
      expect(codes(answer.body)).toEqual(['invalidCredentials'])
    } finally {
      socket.destroy()
    }
  })

  it('When a signed POST declares more than the limit, Then invalidJson names the limit before the body is sent', async () => {
    const socket = await openSocket(env.emulator.port)
    try {
      socket.write(
        requestHead('POST', '/v2/invoice', {
          Host: `127.0.0.1:${env.emulator.port}`,
          'Content-Type': 'application/json',
          'Content-Length': 200 * 1024,
          ...signedHeaders(env.projectId, env.keys.privatePem, 'x')
        })
      )
      const answer = await readAnswer(socket)
      expect(answer.status).toBe(400)
      expect(codes(answer.body)).toEqual(['invalidJson'])
      expect(answer.text).toContain(String(64 * 1024))
    } finally {
      socket.destroy()
    }
  })

  it('When an unknown route or a foreign Host comes with a body, Then it is refused from the head', async () => {
    for (const [path, host, status] of [
      ['/v2/nope', `127.0.0.1:${env.emulator.port}`, 404],
      ['/_emulator/clock', EVIL, 403]
    ] as const) {
      const socket = await openSocket(env.emulator.port)
      try {
        socket.write(
          requestHead('POST', path, {
            Host: host,
            'Content-Type': 'application/json',
            'Transfer-Encoding': 'chunked'
          })
        )
        expect((await readAnswer(socket)).status).toBe(status)
      } finally {
        socket.destroy()
      }
    }
  })

  it('When a control request declares a body larger than any control call needs, Then it is refused from the head', async () => {
    const socket = await openSocket(env.emulator.port)
    try {
      socket.write(
        requestHead('POST', '/_emulator/projects', {
          Host: `127.0.0.1:${env.emulator.port}`,
          'Content-Type': 'application/json',
          'Content-Length': 1024 * 1024
        })
      )
      const answer = await readAnswer(socket)
      expect(answer.status).toBe(400)
      expect(codes(answer.body)).toEqual(['invalidJson'])
    } finally {
      socket.destroy()
    }
  })

  it('When the SDK posts 100 invoices with an unregistered project, Then it gets the worded invalidCredentials, not a reset', async () => {
    const stranger = generateKeyPair()
    const sdk = connectStark(
      { kind: 'emulator', url: env.emulator.url },
      { projectId: '1234567890123456', privateKey: stranger.privatePem }
    )
    try {
      const invoices = Array.from({ length: 100 }, (_, i) => ({
        amount: 1000 + i,
        name: `Payer ${i}`,
        taxId: '012.345.678-90'
      }))
      const failure = await starkErrors(() => sdk.invoice.create(asInvoices(invoices)))
      expect(failure).toEqual({ status: 400, codes: ['invalidCredentials'] })
    } finally {
      connectStark(
        { kind: 'emulator', url: env.emulator.url },
        { projectId: env.projectId, privateKey: env.keys.privatePem }
      )
    }
  })
})

describe('deeply nested JSON', () => {
  const deep = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels)

  it('When a signed invoice create nests 20,000 levels deep in a field its errors quote, Then 400 invalidJson and the emulator keeps serving', async () => {
    const body = `{"invoices":[{"amount":1000,"name":"Ana","taxId":"012.345.678-90","due":${deep(20_000)}}]}`
    const answer = await rawRequest(
      env.emulator.url,
      'POST',
      '/v2/invoice',
      body,
      signedHeaders(env.projectId, env.keys.privatePem, body)
    )
    expect(answer.status).toBe(400)
    expect(codes(answer.body)).toEqual(['invalidJson'])
    expect((await env.sdk.balance.get()).amount).toBe(0)
  })

  it('When a signed transfer create nests deeply in a field that is echoed in errors, Then 400 invalidJson', async () => {
    const body = JSON.stringify({
      transfers: [
        {
          amount: 100,
          name: 'Ana Souza',
          taxId: '012.345.678-90',
          bankCode: '20018183',
          branchCode: '0001',
          accountNumber: '10000-0',
          scheduled: 'NESTED'
        }
      ]
    }).replace('"NESTED"', deep(20_000))
    const answer = await rawRequest(
      env.emulator.url,
      'POST',
      '/v2/transfer',
      body,
      signedHeaders(env.projectId, env.keys.privatePem, body)
    )
    expect(answer.status).toBe(400)
    expect(codes(answer.body)).toEqual(['invalidJson'])
  })

  it('When a control body nests deeply, Then 400 invalidJson', async () => {
    const answer = await rawRequest(
      env.emulator.url,
      'PUT',
      '/_emulator/faults',
      `{"apiErrorRate":${deep(5_000)}}`
    )
    expect(answer.status).toBe(400)
    expect(codes(answer.body)).toEqual(['invalidJson'])
  })

  it('When nesting stays within what Stark bodies use, Then it is accepted as before', async () => {
    const body = JSON.stringify({
      invoices: [
        {
          amount: 1000,
          name: 'Ana',
          taxId: '012.345.678-90',
          descriptions: [{ key: 'Pedido', value: '42' }],
          discounts: [{ percentage: 5, due: new Date(env.emulator.clock.now() + 86_400_000) }]
        }
      ]
    })
    const answer = await rawRequest(
      env.emulator.url,
      'POST',
      '/v2/invoice',
      body,
      signedHeaders(env.projectId, env.keys.privatePem, body)
    )
    expect(answer.status).toBe(200)
  })
})
