/**
 * The sandbox's own story at high clock speed, with no manual stepping: an invoice created through
 * the SDK is paid and credited by the emulator on its accelerated clock, and every event reaches a
 * local receiver as a body that the SDK's event.parse accepts on the raw bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSdkEmulator, type SdkEmulator } from '../helpers/sdk-emulator'
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver'

let env: SdkEmulator
let receiver: WebhookReceiver

beforeAll(async () => {
  // 1440: a sandbox day per real minute; payment within 10 emulator minutes is under half a second.
  env = await startSdkEmulator({ speed: 1440, behaviour: { autoPayRatio: 1 } })
  receiver = await startWebhookReceiver(() => env.emulator.clock.now())
  await env.sdk.webhook.create({ url: receiver.url, subscriptions: ['invoice'] })
})

afterAll(async () => {
  await env.stop()
  await receiver.close()
})

describe('high clock speed', () => {
  it('When the sandbox runs at 1440x, Then created, paid and credited events arrive signed and parse', async () => {
    const [invoice] = await env.sdk.invoice.create([
      new env.sdk.Invoice({ amount: 25_000, name: 'João da Silva', taxId: '845.353.790-92' })
    ])
    const received = await receiver.waitFor(3, 10_000)

    const events = await Promise.all(
      received.map((r) =>
        env.sdk.event.parse({
          content: r.body,
          signature: r.headers['digital-signature'] as string
        })
      )
    )
    const logs = events.map(
      (e) => e.log as { type: string; invoice: { id: string; fee: number; amount: number } }
    )
    expect(logs.every((l) => l.invoice.id === invoice!.id)).toBe(true)
    expect(logs.map((l) => l.type).sort()).toEqual(['created', 'credited', 'paid'])
    const credited = logs.find((l) => l.type === 'credited')!
    expect(credited.invoice).toMatchObject({ amount: 25_000, fee: 50 })
    // Non-ASCII names travel escaped, as Python's json.dumps writes them.
    expect(received[0]!.body).toContain('Jo\\u00e3o da Silva')
    expect((await env.sdk.balance.get()).amount).toBe(25_000 - 50)
  })
})
