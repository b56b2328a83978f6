/**
 * A webhook delivery stays a stored job until its outcome is recorded: the emulator writes its event
 * (and everything pending with it) before posting, so a job removed when it started would be gone
 * from the disk before any answer came, and a crash then would never send it again. Deliveries due at
 * one moment go out together, which made that loss reach every one of them (found in review).
 */
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startEmulator } from '../../src/main/emulator/emulator'
import type { InvoiceLog } from '../../src/main/emulator/types'
import { generateKeyPair } from '../../src/main/stark/keys'
import { connectStark } from '../../src/main/stark/sdk'
import { startWebhookReceiver } from '../helpers/webhook-receiver'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const createdLog = (id: string): InvoiceLog =>
  ({ id, type: 'created', errors: [], invoice: { id: '1', amount: 1 } }) as unknown as InvoiceLog

const eventIdsOf = (bodies: { body: string }[]): string[] =>
  bodies.map((r) => (JSON.parse(r.body) as { event: { id: string } }).event.id)

describe('deliveries across a crash', () => {
  it('When the emulator crashes while deliveries of one moment await their answers, Then a restart sends every one of them again', async () => {
    // Arrange: two events due at the same moment, and a receiver slow to answer
    const dir = await mkdtemp(join(tmpdir(), 'ssim-delivery-crash-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const receiver = await startWebhookReceiver(() => 0)
    cleanups.push(() => receiver.close())
    receiver.delayMs = 3_000
    const emulator = await startEmulator({ stateFile: join(dir, 'a', 'state.json'), speed: 0 })
    const keys = generateKeyPair()
    const sdk = connectStark(
      { kind: 'emulator', url: emulator.url },
      { projectId: emulator.registerProject(keys.publicPem), privateKey: keys.privatePem }
    )
    await sdk.webhook.create({ url: receiver.url, subscriptions: ['invoice'] })
    const first = emulator.core.emit('invoice', createdLog('4687457496858624'))
    const second = emulator.core.emit('invoice', createdLog('4687457496858625'))

    // Act: the disk as a crash leaves it while the posts wait for their answers, then a restart
    const advancing = emulator.clock.advance(0)
    await receiver.waitFor(1)
    await emulator.core.save()
    await cp(join(dir, 'a'), join(dir, 'b'), { recursive: true })
    await emulator.stop()
    await advancing
    receiver.delayMs = 0
    const before = receiver.received.length
    const restarted = await startEmulator({ stateFile: join(dir, 'b', 'state.json'), speed: 0 })
    cleanups.push(() => restarted.stop())
    await restarted.clock.advance(0)

    // Assert
    const again = eventIdsOf(receiver.received.slice(before))
    expect(again.sort()).toEqual([first.id, second.id].sort())
    for (const id of [first.id, second.id])
      expect(restarted.core.state.events[id]?.isDelivered).toBe(true)
  }, 20_000)
})
