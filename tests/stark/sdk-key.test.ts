/**
 * The SDK signs every request with its user's private key. It must be parsed from its PEM once per
 * connection, not once per request (a parse per call was pure overhead on every Stark call).
 */
import { createRequire } from 'node:module'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { startSdkEmulator, type SdkEmulator } from '../helpers/sdk-emulator'

// The copy of starkbank-ecdsa the SDK itself signs with (a dependency of starkcore, not of ours).
const fromSdk = createRequire(createRequire(import.meta.url).resolve('starkcore'))
const { PrivateKey } = fromSdk('starkbank-ecdsa') as { PrivateKey: { fromPem: unknown } }

let env: SdkEmulator | undefined
afterEach(async () => {
  vi.restoreAllMocks()
  await env?.stop()
  env = undefined
})

describe('the SDK private key', () => {
  it('When the SDK makes several signed calls, Then none of them parses the key again, and every call is accepted', async () => {
    const parse = vi.spyOn(PrivateKey as { fromPem: (pem: string) => unknown }, 'fromPem')
    env = await startSdkEmulator()
    const parsedAtConnect = parse.mock.calls.length

    for (let i = 0; i < 4; i++) expect((await env.sdk.balance.get()).amount).toBe(0)

    expect(parsedAtConnect).toBeGreaterThan(0)
    expect(parse.mock.calls.length - parsedAtConnect).toBe(0)
  })
})
