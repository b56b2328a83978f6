/**
 * Delivery across restarts: retries are persisted jobs, and a POST cut short by `stop()` is queued
 * again rather than lost or counted as a failure.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startEmulator, type Emulator } from '../../src/main/emulator/emulator'
import type { InvoiceLog } from '../../src/main/emulator/types'
import { generateKeyPair } from '../../src/main/stark/keys'
import { connectStark } from '../../src/main/stark/sdk'
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver'

const MINUTE = 60_000
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function tempStateFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ssim-webhook-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  return join(dir, 'state.json')
}

/** A log's content does not matter here; delivery only serializes it. */
const log = { id: '4687457496858624', type: 'created', errors: [], invoice: { id: '1', amount: 1 } }

async function setUp(emulator: Emulator, receiver: WebhookReceiver): Promise<string> {
  const keys = generateKeyPair()
  const projectId = emulator.registerProject(keys.publicPem)
  const sdk = connectStark(
    { kind: 'emulator', url: emulator.url },
    { projectId, privateKey: keys.privatePem }
  )
  await sdk.webhook.create({ url: receiver.url, subscriptions: ['invoice'] })
  return emulator.core.emit('invoice', log as unknown as InvoiceLog).id
}

describe('webhook delivery across restarts', () => {
  it('When the emulator restarts between retries, Then the pending retry still happens on time', async () => {
    const stateFile = await tempStateFile()
    let emulator = await startEmulator({ stateFile, speed: 0, seed: 3 })
    const receiver = await startWebhookReceiver(() => emulator.clock.now())
    cleanups.push(() => receiver.close())
    receiver.status = 500
    const start = emulator.clock.now()
    const eventId = await setUp(emulator, receiver)
    await emulator.clock.advance(0)
    expect(receiver.received).toHaveLength(1)
    await emulator.stop()

    emulator = await startEmulator({ stateFile, speed: 0 })
    cleanups.push(() => emulator.stop())
    receiver.status = 200
    await emulator.clock.advance(4 * MINUTE)
    expect(receiver.received).toHaveLength(1)
    await emulator.clock.advance(MINUTE)
    expect(receiver.received.map((r) => (r.at - start) / MINUTE)).toEqual([0, 5])
    expect(emulator.core.state.events[eventId]?.isDelivered).toBe(true)
    expect(Object.keys(emulator.core.state.attempts)).toHaveLength(1)
  })

  it('When the emulator stops during a POST, Then stop is prompt and the delivery is sent after restart', async () => {
    const stateFile = await tempStateFile()
    const receiver = await startWebhookReceiver(() => 0)
    cleanups.push(() => receiver.close())
    receiver.delayMs = 10_000

    let emulator = await startEmulator({ stateFile, speed: 0, seed: 5 })
    const eventId = await setUp(emulator, receiver)
    const advancing = emulator.clock.advance(0)
    await receiver.waitFor(1)
    const stoppedAt = performance.now()
    await emulator.stop()
    await advancing
    expect(performance.now() - stoppedAt).toBeLessThan(2000)

    receiver.delayMs = 0
    emulator = await startEmulator({ stateFile, speed: 0 })
    cleanups.push(() => emulator.stop())
    expect(Object.values(emulator.core.state.attempts)).toEqual([])
    await emulator.clock.advance(0)
    expect(receiver.received).toHaveLength(2)
    expect(emulator.core.state.events[eventId]?.isDelivered).toBe(true)
  })
})
