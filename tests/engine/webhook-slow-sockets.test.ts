/**
 * The webhook server under a slow-header attack (slowloris): sockets that open a request and never
 * finish its head must not keep genuine deliveries out. 256 such sockets used to fill
 * `maxConnections` and reset every delivery for about 40 s per wave.
 */
import { sign } from 'node:crypto'
import { connect } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { pythonJsonDumps } from '../../src/main/emulator/py-json'
import { createSignatureVerifier } from '../../src/main/engine/signature'
import {
  createWebhookServer,
  WEBHOOK_PATH_PREFIX,
  type WebhookServer,
  type WebhookServerOptions
} from '../../src/main/engine/webhook-server'
import { sdkClient } from '../../src/main/stark/client'
import { VirtualClock } from '../../src/main/time/clock'
import { send } from '../helpers/http-send'
import { startSdkEmulator, type SdkEmulator } from '../helpers/sdk-emulator'
import { openSlowSockets, type SlowSockets } from '../helpers/slow-sockets'

const SECRET = 'slow-secret-0123456789abcdef'

let env: SdkEmulator
let server: WebhookServer | undefined
let attack: SlowSockets | undefined

beforeAll(async () => {
  env = await startSdkEmulator()
})
afterAll(() => env.stop())
afterEach(async () => {
  attack?.stop()
  attack = undefined
  await server?.stop()
  server = undefined
})

async function startServer(
  extra: Partial<WebhookServerOptions> = {}
): Promise<{ url: string; port: number; accepted: string[] }> {
  const accepted: string[] = []
  server = createWebhookServer({
    secret: SECRET,
    stopGraceMs: 200,
    verifier: createSignatureVerifier({
      clock: new VirtualClock({ start: 0 }),
      fetchPublicKey: sdkClient(env.sdk).fetchPublicKey
    }),
    sink: {
      accept: async (event) => {
        accepted.push(event.id)
        return 'recorded'
      },
      rejected: () => undefined
    },
    onError: () => undefined,
    ...extra
  })
  const { url, port } = await server.start()
  return { url, port, accepted }
}

function delivery(id: string): { body: string; signature: string } {
  const body = pythonJsonDumps({
    event: {
      created: '2026-05-04T12:00:01.123456+00:00',
      id,
      log: { id: `9${id}`, invoice: { amount: 25600, fee: 50 }, type: 'credited' },
      subscription: 'invoice',
      workspaceId: '5078376503050240'
    }
  })
  const signature = sign(
    'sha256',
    Buffer.from(body),
    env.emulator.core.state.signingKey.privatePem
  ).toString('base64')
  return { body, signature }
}

describe('webhook server under slow sockets', () => {
  it('When 256 slow-header sockets are held open (and reopened when closed), Then every genuine delivery is still answered 200 and recorded', async () => {
    const { url, port, accepted } = await startServer()
    attack = openSlowSockets(port, 256, { path: WEBHOOK_PATH_PREFIX + SECRET, reopen: true })
    await attack.ready

    const ids = Array.from({ length: 40 }, (_, i) => String(5_000_000_000_000_000 + i))
    const statuses: (number | string)[] = []
    // A few at a time, as Stark delivers.
    for (let i = 0; i < ids.length; i += 4) {
      const replies = await Promise.all(
        ids.slice(i, i + 4).map((id) => {
          const { body, signature } = delivery(id)
          return send(url, { body, headers: { 'Digital-Signature': signature } }).then(
            (reply) => reply.status,
            (error: NodeJS.ErrnoException) => error.code ?? 'error'
          )
        })
      )
      statuses.push(...replies)
    }

    expect(statuses).toEqual(ids.map(() => 200))
    expect(accepted.sort()).toEqual(ids)
    // The attack was on the whole time: the attacker still holds (about) all its sockets.
    expect(attack.open()).toBeGreaterThan(200)
  }, 60_000)

  it('When a socket never finishes its request head, Then the server closes it after the headers timeout', async () => {
    const { port } = await startServer({ headersTimeoutMs: 300 })
    const socket = connect(port, '127.0.0.1')
    socket.on('error', () => undefined)
    let answer = ''
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()))
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()))
    socket.on('connect', () => socket.write(`POST ${WEBHOOK_PATH_PREFIX}${SECRET} HTTP/1.1\r\nHo`))
    await closed
    expect(answer).toMatch(/^HTTP\/1\.1 408 /)
  }, 20_000)
})
