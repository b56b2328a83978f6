/**
 * The emulator's HTTP front: authentication as the SDK signs, Stark-style errors for bad input, the
 * control API and fault injection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateKeyPair } from '../../src/main/stark/keys'
import { connectStark } from '../../src/main/stark/sdk'
import { controlJson, rawRequest, signedHeaders } from '../helpers/raw-client'
import { starkErrors, startSdkEmulator, type SdkEmulator } from '../helpers/sdk-emulator'

let env: SdkEmulator

beforeAll(async () => {
  env = await startSdkEmulator({ behaviour: { maxBodyBytes: 64 * 1024 } })
})
afterAll(() => env.stop())

/** A GET signed like the SDK signs it, with an optional Access-Time and project id. */
const signedGet = (path: string, time?: string, projectId = env.projectId) =>
  rawRequest(
    env.emulator.url,
    'GET',
    path,
    undefined,
    signedHeaders(projectId, env.keys.privatePem, '', time)
  )

const codes = (body: unknown): string[] =>
  ((body as { errors?: { code: string }[] }).errors ?? []).map((e) => e.code)

describe('authentication', () => {
  it('When the SDK signs with the registered key, Then balance and public key are served', async () => {
    const balance = await env.sdk.balance.get()
    expect(balance.amount).toBe(0)
    const res = await signedGet('/v2/public-key?limit=1')
    expect(res.status).toBe(200)
    expect((res.body as { publicKeys: { content: string }[] }).publicKeys[0]?.content).toBe(
      env.emulator.publicKey
    )
  })

  it('When the SDK signs with a wrong key, Then the call fails with invalidCredentials', async () => {
    const other = generateKeyPair()
    connectStark(
      { kind: 'emulator', url: env.emulator.url },
      { projectId: env.projectId, privateKey: other.privatePem }
    )
    try {
      const failure = await starkErrors(() => env.sdk.balance.get())
      expect(failure).toEqual({ status: 400, codes: ['invalidCredentials'] })
    } finally {
      connectStark(
        { kind: 'emulator', url: env.emulator.url },
        { projectId: env.projectId, privateKey: env.keys.privatePem }
      )
    }
  })

  it('When Access-Time is a float (as the Python SDK sends), Then it is accepted', async () => {
    const time = (Date.now() / 1000).toFixed(7)
    const res = await signedGet('/v2/balance', time)
    expect(res.status).toBe(200)
  })

  it('When Access-Time is an hour off, or headers are missing, or the project is unknown, Then 400 invalidCredentials', async () => {
    const old = String(Math.round(Date.now() / 1000) - 3600)
    const stale = await signedGet('/v2/balance', old)
    const missing = await rawRequest(env.emulator.url, 'GET', '/v2/balance')
    const unknown = await signedGet('/v2/balance', undefined, '1234567890123456')
    for (const res of [stale, missing, unknown]) {
      expect(res.status).toBe(400)
      expect(codes(res.body)).toEqual(['invalidCredentials'])
    }
  })

  it('When the body differs from what was signed, Then the signature does not check out', async () => {
    const headers = signedHeaders(env.projectId, env.keys.privatePem, '{"webhooks":[]}')
    const res = await rawRequest(
      env.emulator.url,
      'POST',
      '/v2/webhook',
      '{"webhooks":[1]}',
      headers
    )
    expect(res.status).toBe(400)
    expect(codes(res.body)).toEqual(['invalidCredentials'])
  })
})

describe('bad input', () => {
  it('When the JSON is malformed, Then 400 invalidJson', async () => {
    const body = '{"invoices": ['
    const res = await rawRequest(
      env.emulator.url,
      'POST',
      '/v2/invoice',
      body,
      signedHeaders(env.projectId, env.keys.privatePem, body)
    )
    expect(res.status).toBe(400)
    expect(codes(res.body)).toEqual(['invalidJson'])
  })

  it('When the body is larger than the limit, Then 400 and the server keeps serving', async () => {
    const body = JSON.stringify({ invoices: [], pad: 'x'.repeat(200 * 1024) })
    const res = await rawRequest(
      env.emulator.url,
      'POST',
      '/v2/invoice',
      body,
      signedHeaders(env.projectId, env.keys.privatePem, body)
    ).catch((error: NodeJS.ErrnoException) => ({
      status: -1,
      body: undefined,
      text: error.code ?? ''
    }))
    // The server answers 400 and closes; a client still writing may instead see the reset.
    if (res.status !== -1) expect(res.status).toBe(400)
    expect((await env.sdk.balance.get()).amount).toBe(0)
  })

  it('When the route is unknown, Then a Stark-style error envelope comes back', async () => {
    const res = await rawRequest(env.emulator.url, 'GET', '/nope')
    expect(res.status).toBe(404)
    expect(codes(res.body)).toEqual(['invalidRoute'])
    const wrongMethod = await controlJson(env.emulator.url, 'DELETE', '/_emulator/state')
    expect(wrongMethod.status).toBe(405)
  })

  it('When a control body has wrong types, Then 400 invalidJson', async () => {
    const res = await controlJson(env.emulator.url, 'POST', '/_emulator/clock', { speed: 'fast' })
    expect(res.status).toBe(400)
    expect(codes(res.body)).toEqual(['invalidJson'])
  })
})

describe('control API', () => {
  it('When a public key is posted, Then a project id comes back and the SDK can use it', async () => {
    const keys = generateKeyPair()
    const res = await controlJson(env.emulator.url, 'POST', '/_emulator/projects', {
      publicKey: keys.publicPem
    })
    const { projectId } = res.body as { projectId: string }
    expect(projectId).toMatch(/^\d{16}$/)
    const again = await controlJson(env.emulator.url, 'POST', '/_emulator/projects', {
      publicKey: keys.publicPem
    })
    expect((again.body as { projectId: string }).projectId).toBe(projectId)
    const bad = await controlJson(env.emulator.url, 'POST', '/_emulator/projects', {
      publicKey: 'nope'
    })
    expect(codes(bad.body)).toEqual(['invalidPublicKey'])
  })

  it('When the clock is advanced or sped up, Then the emulator time moves', async () => {
    const before = (await controlJson(env.emulator.url, 'GET', '/_emulator/clock')).body as {
      nowMs: number
    }
    const after = (
      await controlJson(env.emulator.url, 'POST', '/_emulator/clock', { advanceSeconds: 3600 })
    ).body as { nowMs: number }
    expect(after.nowMs - before.nowMs).toBe(3_600_000)
    const fast = (await controlJson(env.emulator.url, 'POST', '/_emulator/clock', { speed: 1440 }))
      .body as { speed: number }
    expect(fast.speed).toBe(1440)
    await controlJson(env.emulator.url, 'POST', '/_emulator/clock', { speed: 0 })
  })

  it('When faults are set, Then GET reads them back and API calls fail with 500', async () => {
    const put = await controlJson(env.emulator.url, 'PUT', '/_emulator/faults', { apiErrorRate: 1 })
    expect((put.body as { apiErrorRate: number }).apiErrorRate).toBe(1)
    expect(
      (
        (await controlJson(env.emulator.url, 'GET', '/_emulator/faults')).body as {
          apiErrorRate: number
        }
      ).apiErrorRate
    ).toBe(1)
    const failure = await starkErrors(() => env.sdk.balance.get())
    expect(failure.status).toBe(500)
    await controlJson(env.emulator.url, 'PUT', '/_emulator/faults', {})
    expect((await env.sdk.balance.get()).amount).toBe(0)
    const unknownKey = await controlJson(env.emulator.url, 'PUT', '/_emulator/faults', {
      explode: true
    })
    expect(unknownKey.status).toBe(400)
  })

  it('When the state is read, Then it counts invoices, transfers, events and the balance', async () => {
    const res = await controlJson(env.emulator.url, 'GET', '/_emulator/state')
    expect(res.body).toMatchObject({
      invoices: {},
      transfers: {},
      events: { delivered: 0 },
      balance: 0
    })
  })
})

describe('control API hardening', () => {
  it('When a control POST is not JSON, Then 415 and nothing changes (web pages cannot drive it)', async () => {
    const before = (await controlJson(env.emulator.url, 'GET', '/_emulator/clock')).body as {
      nowMs: number
    }
    const res = await rawRequest(
      env.emulator.url,
      'POST',
      '/_emulator/clock',
      '{"advanceSeconds":60}',
      {
        'Content-Type': 'text/plain'
      }
    )
    expect(res.status).toBe(415)
    expect(codes(res.body)).toEqual(['invalidContentType'])
    const after = (await controlJson(env.emulator.url, 'GET', '/_emulator/clock')).body as {
      nowMs: number
    }
    expect(after.nowMs).toBe(before.nowMs)
  })

  it('When a registration names an existing project with another key, Then it is refused and the key kept', async () => {
    const other = generateKeyPair()
    const res = await controlJson(env.emulator.url, 'POST', '/_emulator/projects', {
      publicKey: other.publicPem,
      projectId: env.projectId
    })
    expect(res.status).toBe(400)
    expect(codes(res.body)).toEqual(['invalidProjectId'])
    expect((await env.sdk.balance.get()).amount).toBe(0)
  })

  it('When a path holds a malformed escape, Then 404 invalidRoute, not a crash', async () => {
    const res = await rawRequest(env.emulator.url, 'GET', '/_emulator/%E0')
    expect(res.status).toBe(404)
    expect(codes(res.body)).toEqual(['invalidRoute'])
  })
})
