/**
 * The webhook signature verifier, checked against the real SDK's `event.parse` (served by the
 * in-process emulator) and against a body Stark's sandbox really signed.
 */
import { sign } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { pythonJsonDumps } from '../../src/main/emulator/py-json'
import { createSignatureVerifier, type SignatureVerifier } from '../../src/main/engine/signature'
import { parseVerifiedEvent } from '../../src/main/engine/webhook-acceptance'
import { sdkClient } from '../../src/main/stark/client'
import { generateKeyPair } from '../../src/main/stark/keys'
import { VirtualClock } from '../../src/main/time/clock'
import { sandboxEvent2021 } from '../helpers/fixtures'
import { startSdkEmulator, type SdkEmulator } from '../helpers/sdk-emulator'

const real = sandboxEvent2021

let env: SdkEmulator

beforeAll(async () => {
  env = await startSdkEmulator()
})
afterAll(() => env.stop())
beforeEach(() => {
  // event.parse caches the key process-wide; every test starts from the SDK's cold state.
  for (const key of Object.keys(env.sdk.cache))
    delete (env.sdk.cache as Record<string, unknown>)[key]
})

const signWith = (body: string, privatePem: string): string =>
  sign('sha256', Buffer.from(body), privatePem).toString('base64')
const signed = (body: string): string =>
  signWith(body, env.emulator.core.state.signingKey.privatePem)

function creditedBody(id = '5415223380934656', amount = 25_600): string {
  return pythonJsonDumps({
    event: {
      created: '2026-05-04T12:00:01.123456+00:00',
      id,
      log: {
        created: '2026-05-04T12:00:00.654321+00:00',
        errors: [],
        id: '4687457496858624',
        invoice: {
          amount,
          fee: 0,
          fine: 2,
          id: '5941925571985408',
          interest: 1,
          status: 'credited',
          tags: ['run']
        },
        type: 'credited'
      },
      subscription: 'invoice',
      workspaceId: '5078376503050240'
    }
  })
}

/** A verifier over the emulator's public-key route, counting how often it is asked for the key. */
function counted(clock = new VirtualClock({ start: 0 })): {
  verifier: SignatureVerifier
  calls: () => number
  clock: VirtualClock
} {
  let calls = 0
  const client = sdkClient(env.sdk)
  const verifier = createSignatureVerifier({
    clock,
    fetchPublicKey: () => {
      calls++
      return client.fetchPublicKey()
    }
  })
  return { verifier, calls: () => calls, clock }
}

type SdkVerdict = 'valid' | 'invalid' | 'SyntaxError'

async function sdkVerdict(content: string, signature: string | undefined): Promise<SdkVerdict> {
  try {
    await env.sdk.event.parse({ content, signature: signature as string })
    return 'valid'
  } catch (error) {
    if (error instanceof env.sdk.error.InvalidSignatureError) return 'invalid'
    if (error instanceof SyntaxError) return 'SyntaxError'
    throw error
  }
}

describe('agreement with starkbank.event.parse', () => {
  const body = creditedBody()
  const cases: [
    string,
    () => { content: string; signature: string | undefined },
    SdkVerdict,
    'valid' | 'invalid'
  ][] = [
    [
      'a Stark-formatted body with its signature',
      () => ({ content: body, signature: signed(body) }),
      'valid',
      'valid'
    ],
    [
      'one digit of a number changed',
      () => ({
        content: body.replace('"amount": 25600', '"amount": 25601'),
        signature: signed(body)
      }),
      'invalid',
      'invalid'
    ],
    [
      'the same event re-stringified as compact JSON',
      () => ({ content: JSON.stringify(JSON.parse(body)), signature: signed(body) }),
      'invalid',
      'invalid'
    ],
    [
      'a signature that is not base64',
      () => ({ content: body, signature: 'not base64!!' }),
      'invalid',
      'invalid'
    ],
    ['an empty signature', () => ({ content: body, signature: '' }), 'invalid', 'invalid'],
    ['no signature', () => ({ content: body, signature: undefined }), 'invalid', 'invalid'],
    [
      'the signature of another body',
      () => ({ content: body, signature: signed(creditedBody('9999999999999999')) }),
      'invalid',
      'invalid'
    ]
  ]

  for (const [name, input, sdkExpected, ours] of cases) {
    it(`When given ${name}, Then the verifier answers ${ours} like event.parse`, async () => {
      const { content, signature } = input()
      expect(content).not.toBe('')
      const sdk = await sdkVerdict(content, signature)
      const { verifier } = counted()
      expect(sdk).toBe(sdkExpected)
      expect(await verifier.verify(Buffer.from(content), signature)).toBe(ours)
    })
  }

  it('When a non-JSON body carries a valid signature, Then the verifier says valid, event.parse throws SyntaxError, and parseVerifiedEvent rejects it', async () => {
    // The one deliberate difference: event.parse parses before verifying; the verifier only verifies
    // bytes, and the server's parseVerifiedEvent turns the verified-but-not-an-event body into a 400.
    const content = 'hello, not json'
    const signature = signed(content)
    const { verifier } = counted()
    expect(await sdkVerdict(content, signature)).toBe('SyntaxError')
    expect(await verifier.verify(Buffer.from(content), signature)).toBe('valid')
    expect(parseVerifiedEvent(Buffer.from(content))).toMatchObject({ ok: false })
  })
})

describe('the real 2021 sandbox delivery', () => {
  const verifierFor = (pem: string): SignatureVerifier =>
    createSignatureVerifier({
      clock: new VirtualClock({ start: 0 }),
      fetchPublicKey: async () => pem
    })

  it("When the exact bytes Stark sent are checked with Stark's sandbox key, Then they are valid", async () => {
    const verifier = verifierFor(real.starkSandboxPublicKey)
    expect(await verifier.verify(Buffer.from(real.content, 'utf8'), real.digitalSignature)).toBe(
      'valid'
    )
    expect(verifier.publicKeyPem()).toBe(real.starkSandboxPublicKey)
    expect(parseVerifiedEvent(Buffer.from(real.content))).toMatchObject({
      ok: true,
      event: { id: '5415223380934656', subscription: 'invoice', log: { type: 'created' } }
    })
  })

  it('When the real body is re-stringified or one byte is changed, Then it is invalid', async () => {
    const verifier = verifierFor(real.starkSandboxPublicKey)
    const compact = JSON.stringify(JSON.parse(real.content))
    const tampered = real.content.replace('"amount": 256,', '"amount": 257,')
    expect(tampered).not.toBe(real.content)
    expect(await verifier.verify(Buffer.from(compact), real.digitalSignature)).toBe('invalid')
    expect(await verifier.verify(Buffer.from(tampered), real.digitalSignature)).toBe('invalid')
  })
})

describe('key fetching and refetching', () => {
  const body = creditedBody()
  const forged = (): string => signWith(body, generateKeyPair().privatePem)
  const forgedKey = generateKeyPair().privatePem

  it('When a signature fails, Then the key is refetched once before answering invalid', async () => {
    const { verifier, calls } = counted()
    expect(await verifier.verify(Buffer.from(body), forged())).toBe('invalid')
    expect(calls()).toBe(2)
    expect(verifier.publicKeyPem()).toBe(env.emulator.publicKey)
  })

  it('When the signature is missing, empty or not base64, Then no key is fetched at all', async () => {
    const { verifier, calls } = counted()
    for (const signature of [undefined, '', '   ', 'not base64!!', 'QUJD']) {
      expect(await verifier.verify(Buffer.from(body), signature)).toBe('invalid')
    }
    // 'QUJD' is base64 for "ABC": it decodes, so it costs the first fetch and one refetch, no more.
    expect(calls()).toBe(2)
  })

  it('When Stark rotated its key, Then the stale cached key is replaced and the delivery is valid', async () => {
    const stale = generateKeyPair().publicPem
    const keys = [stale, env.emulator.publicKey]
    let calls = 0
    const verifier = createSignatureVerifier({
      clock: new VirtualClock({ start: 0 }),
      fetchPublicKey: async () => keys[Math.min(calls++, keys.length - 1)] as string
    })
    expect(await verifier.verify(Buffer.from(body), signed(body))).toBe('valid')
    expect(calls).toBe(2)
    expect(verifier.publicKeyPem()).toBe(env.emulator.publicKey)
    expect(await verifier.verify(Buffer.from(body), signed(body))).toBe('valid')
    expect(calls).toBe(2)
  })

  it('When forged deliveries flood in, Then the key is refetched at most once per interval of clock time', async () => {
    const { verifier, calls, clock } = counted()
    for (let i = 0; i < 5; i++)
      expect(await verifier.verify(Buffer.from(body), forged())).toBe('invalid')
    expect(calls()).toBe(2)
    await clock.advance(9_999)
    expect(await verifier.verify(Buffer.from(body), forged())).toBe('invalid')
    expect(calls()).toBe(2)
    await clock.advance(1)
    expect(await verifier.verify(Buffer.from(body), forged())).toBe('invalid')
    expect(calls()).toBe(3)
    // A genuine delivery is unaffected by the limit: the cached key is still the right one.
    expect(await verifier.verify(Buffer.from(body), signed(body))).toBe('valid')
    expect(calls()).toBe(3)
  })

  it('When many failures arrive at once, Then they share one fetch and one refetch', async () => {
    const { verifier, calls } = counted()
    const verdicts = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        verifier.verify(Buffer.from(body), i % 2 ? forged() : signed(body))
      )
    )
    expect(verdicts.filter((v) => v === 'valid')).toHaveLength(10)
    expect(calls()).toBe(2)
  })

  it('When a burst of deliveries is checked at once, Then each gets its own answer and the event loop keeps turning meanwhile', async () => {
    const { verifier, calls } = counted()
    expect(await verifier.verify(Buffer.from(body), signed(body))).toBe('valid')
    // Spends the one refetch now, so the burst below does no I/O of its own.
    expect(await verifier.verify(Buffer.from(body), forged())).toBe('invalid')
    expect(calls()).toBe(2)
    const bodies = Array.from({ length: 60 }, (_, i) =>
      creditedBody(String(5_000_000_000_000_000 + i))
    )
    const signatures = bodies.map((b, i) => (i % 3 === 0 ? signWith(b, forgedKey) : signed(b)))
    let turns = 0
    let done = false
    const turn = (): void => {
      turns++
      if (!done) setImmediate(turn)
    }
    setImmediate(turn)
    const verdicts = await Promise.all(
      bodies.map((b, i) => verifier.verify(Buffer.from(b), signatures[i]))
    )
    done = true
    expect(verdicts).toEqual(bodies.map((_, i) => (i % 3 === 0 ? 'invalid' : 'valid')))
    expect(calls()).toBe(2)
    // The checks run off the event loop: other work (timers, requests, journal writes) goes on.
    expect(turns).toBeGreaterThan(1)
  })

  it('When the key cannot be fetched, Then verify throws advice, fails fast within the interval, and recovers after it', async () => {
    const clock = new VirtualClock({ start: 0 })
    let calls = 0
    let online = false
    const client = sdkClient(env.sdk)
    const verifier = createSignatureVerifier({
      clock,
      fetchPublicKey: async () => {
        calls++
        if (!online) throw new Error('connect ECONNREFUSED')
        return client.fetchPublicKey()
      }
    })
    await expect(verifier.verify(Buffer.from(body), signed(body))).rejects.toThrow(
      /network.*credentials/
    )
    await expect(verifier.verify(Buffer.from(body), signed(body))).rejects.toThrow(/ECONNREFUSED/)
    expect(calls).toBe(1)
    online = true
    await clock.advance(10_000)
    expect(await verifier.verify(Buffer.from(body), signed(body))).toBe('valid')
    expect(calls).toBe(2)
  })

  it('When the fetched key is not a PEM public key, Then verify throws instead of answering', async () => {
    const verifier = createSignatureVerifier({
      clock: new VirtualClock({ start: 0 }),
      fetchPublicKey: async () => 'not a key'
    })
    await expect(verifier.verify(Buffer.from(body), signed(body))).rejects.toThrow(/public key/)
  })
})
