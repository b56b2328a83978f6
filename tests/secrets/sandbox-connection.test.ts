/**
 * The sandbox target's client path, as far as this machine allows: the real SDK through the real
 * `sandboxAgent` (TLS with certificate and host-name checks on) reaching the emulator served over TLS
 * as sandbox.api.starkbank.com, with the test-only trust override. The real sandbox is not reachable
 * from here.
 */
import { execFileSync } from 'node:child_process'
import { get } from 'node:https'
import starkbank from 'starkbank'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startEmulator, type Emulator } from '../../src/main/emulator/emulator'
import { sdkClient } from '../../src/main/stark/client'
import { testConnection } from '../../src/main/stark/connection-test'
import { describeStarkFailure } from '../../src/main/stark/failure-words'
import { fingerprintOf, generateKeyPair, validatePrivateKey } from '../../src/main/stark/keys'
import type { StarkSdk } from '../../src/main/stark/sdk'
import {
  DEFAULT_SILENCE_MS,
  sandboxAgent,
  type SandboxTrustOverride
} from '../../src/main/stark/transport'
import { findLeak } from '../helpers/key-material'
import { SANDBOX_HOST, startTlsEmulator, type TlsEmulator } from '../helpers/tls-emulator'

/** What connectStark does for the sandbox target, with the agent given the test's trust override. */
function connectSandbox(
  trust: SandboxTrustOverride | undefined,
  projectId: string,
  privateKey: string
): StarkSdk {
  starkbank.setHttpsAgent(sandboxAgent(DEFAULT_SILENCE_MS, trust))
  starkbank.user = new starkbank.Project({ environment: 'sandbox', id: projectId, privateKey })
  for (const key of Object.keys(starkbank.cache))
    delete (starkbank.cache as Record<string, unknown>)[key]
  return starkbank
}

describe('sandbox connection over TLS', () => {
  let emulator: Emulator
  let front: TlsEmulator
  const keys = generateKeyPair()
  let projectId: string

  beforeAll(async () => {
    emulator = await startEmulator({ speed: 0, seed: 7 })
    projectId = emulator.registerProject(keys.publicPem)
    front = await startTlsEmulator(emulator.port)
  })
  afterAll(async () => {
    await front?.close()
    await emulator?.stop()
  })
  beforeEach(() => front.intercept(undefined))

  it('When the sandbox agent trusts the test CA, Then balance, public key and webhooks come back over TLS with signed requests', async () => {
    const sdk = connectSandbox(front.trust(), projectId, keys.privatePem)
    const report = await testConnection(sdk, { projectId })
    expect(report).toEqual({
      ok: true,
      balance: 0,
      starkKeyFingerprint: fingerprintOf(emulator.publicKey),
      webhooks: []
    })
    const calls = front.seen.slice(-3)
    expect(calls.map((c) => `${c.method} ${c.path.split('?')[0]}`)).toEqual([
      'GET /v2/balance',
      'GET /v2/public-key',
      'GET /v2/webhook'
    ])
    for (const call of calls) {
      expect(call.host).toBe(SANDBOX_HOST)
      expect(call.accessId).toBe(`project/${projectId}`)
    }
    // The engine's own calls take the same path.
    const [invoice] = await sdkClient(sdk).createInvoices([
      { amount: 2_000, name: 'Ana Souza', taxId: '012.345.678-90', tags: ['tls'] }
    ])
    expect(invoice?.amount).toBe(2_000)
  })

  it('When the test CA is not trusted, Then the failure is a TLS verification problem said in words', async () => {
    const { port } = front.trust().connectTo
    const sdk = connectSandbox(
      { connectTo: { host: '127.0.0.1', port } },
      projectId,
      keys.privatePem
    )
    const report = await testConnection(sdk, { projectId })
    expect(report).toMatchObject({ ok: false, step: 'balance', kind: 'tls' })
    expect(!report.ok && report.message).toMatch(
      /secure connection to sandbox\.api\.starkbank\.com could not be verified \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/
    )
  })

  it('When the key is not the project’s, Then the user is told the key does not belong to that project, with no JSON and no key material', async () => {
    const stranger = generateKeyPair()
    const sdk = connectSandbox(front.trust(), projectId, stranger.privatePem)
    const fingerprint = validatePrivateKey(stranger.privatePem).fingerprint
    const report = await testConnection(sdk, { projectId, fingerprint })
    expect(report).toMatchObject({ ok: false, step: 'balance', kind: 'credentials' })
    const message = !report.ok ? report.message : ''
    expect(message).toContain(`project ${projectId}`)
    expect(message).toContain(fingerprint)
    expect(message).not.toMatch(/[{}]/)
    expect(findLeak(JSON.stringify(report), stranger.privatePem)).toBeUndefined()
  })

  it('When the project may not list webhooks, Then that step fails as a permission problem', async () => {
    front.intercept((req) =>
      req.url?.startsWith('/v2/webhook')
        ? { status: 403, body: { message: 'Forbidden' } }
        : undefined
    )
    const report = await testConnection(connectSandbox(front.trust(), projectId, keys.privatePem), {
      projectId
    })
    expect(report).toMatchObject({ ok: false, step: 'webhooks', kind: 'permission' })
    expect(!report.ok && report.message).toMatch(
      /Stark answered 403 \(not allowed\) while listing the webhooks/
    )
  })

  it('When Stark answers a 400 or a 500, Then its code and message are said, never its JSON', async () => {
    front.intercept((req) =>
      req.url?.startsWith('/v2/public-key')
        ? {
            status: 400,
            body: {
              errors: [
                { code: 'invalidPermission', message: 'Project lacks permission public-key.read' }
              ]
            }
          }
        : undefined
    )
    const sdk = connectSandbox(front.trust(), projectId, keys.privatePem)
    const denied = await testConnection(sdk, { projectId })
    expect(denied).toMatchObject({ ok: false, step: 'public-key', kind: 'permission' })
    expect(!denied.ok && denied.message).toMatch(/invalidPermission: Project lacks permission/)
    expect(!denied.ok && denied.message).not.toMatch(/[{}"]/)

    front.intercept((req) =>
      req.url?.startsWith('/v2/balance') ? { status: 500, body: { errors: [] } } : undefined
    )
    const down = await testConnection(sdk, { projectId })
    expect(down).toMatchObject({ ok: false, step: 'balance', kind: 'stark' })
  })

  it('When nothing listens where Stark should be, Then it is a network problem in words', async () => {
    const sdk = connectSandbox(
      { connectTo: { host: '127.0.0.1', port: 1 } },
      projectId,
      keys.privatePem
    )
    const report = await testConnection(sdk, { projectId })
    expect(report).toMatchObject({ ok: false, kind: 'network' })
    expect(!report.ok && report.message).toMatch(
      /Cannot reach sandbox\.api\.starkbank\.com \(ECONNREFUSED\)/
    )
  })

  it('When a name does not resolve (a real DNS failure), Then it is said as no network or DNS', async () => {
    // `.invalid` never resolves (RFC 2606), online or not.
    const error = await new Promise<Error>((resolve) =>
      get('https://sandbox.stark.invalid/v2/balance', () => undefined).on('error', resolve)
    )
    expect(describeStarkFailure(error, 'reading the balance')).toEqual({
      kind: 'network',
      message: expect.stringMatching(/name does not resolve \(no network, or DNS is down\)/)
    })
  })

  it('When the override points anywhere but loopback, Then the agent refuses it', () => {
    expect(() =>
      sandboxAgent(DEFAULT_SILENCE_MS, {
        connectTo: { host: '10.0.0.1' as '127.0.0.1', port: 443 }
      })
    ).toThrow(/loopback only/)
  })

  it('When the app or the CLI is searched, Then only the Stark connection layer carries the trust override, and no front end sets it', () => {
    const hits = execFileSync(
      'grep',
      ['-rlE', 'SandboxTrustOverride|testTrust|sandboxAgent\\([^)]', 'src'],
      { encoding: 'utf8' }
    )
      .split('\n')
      .filter(Boolean)
      .sort()
    // The transport defines it; the SDK connection, the sandbox target and the runtime's connect
    // steps only pass it along from a TargetChoice that tests build.
    expect(hits).toEqual([
      'src/main/runtime/connect.ts',
      'src/main/stark/sdk.ts',
      'src/main/stark/targets.ts',
      'src/main/stark/transport.ts'
    ])
  })
})
