/**
 * Speed `max` wherever a speed is configured: the emulator's control API, `npm run emulator`, and the
 * `--speed` option of `npm run headless` (which refuses it for an emulator in another process).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { parseHeadlessOptions, UsageError } from '../../src/cli/headless-options'
import { parseSpeed } from '../../src/main/time/speed'
import { killAllChildren, runEmulator } from '../helpers/cli-process'
import { controlJson } from '../helpers/raw-client'
import { startSdkEmulator, type SdkEmulator } from '../helpers/sdk-emulator'
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver'

let env: SdkEmulator | undefined
let receiver: WebhookReceiver | undefined
afterEach(async () => {
  await env?.stop()
  await receiver?.close()
  await killAllChildren()
  env = undefined
  receiver = undefined
})

describe('speed max', () => {
  it('When the control API sets speed max, Then GET shows it and the sandbox story runs to its credit with no advance', async () => {
    env = await startSdkEmulator({ speed: 0, behaviour: { autoPayRatio: 1 } })
    const emulator = env.emulator
    receiver = await startWebhookReceiver(() => emulator.clock.now())
    await env.sdk.webhook.create({ url: receiver.url, subscriptions: ['invoice'] })
    const [invoice] = await env.sdk.invoice.create([
      new env.sdk.Invoice({ amount: 10_000, name: 'Maria Souza', taxId: '012.345.678-90' })
    ])
    const createdAt = emulator.clock.now()

    const set = await controlJson(emulator.url, 'POST', '/_emulator/clock', { speed: 'max' })
    expect(set.status).toBe(200)
    expect(set.body).toMatchObject({ speed: 'max' })
    const got = await controlJson(emulator.url, 'GET', '/_emulator/clock')
    expect(got.body).toMatchObject({ speed: 'max' })

    // created, paid, credited: the payment is 30 s to 10 min of emulator time after creation.
    const received = await receiver.waitFor(3, 20_000)
    const types = received.map(
      (r) => (JSON.parse(r.body) as { event: { log: { type: string } } }).event.log.type
    )
    expect(types).toEqual(['created', 'paid', 'credited'])
    expect(received[2]!.at).toBeGreaterThan(createdAt + 30_000)
    expect((await env.sdk.invoice.get(invoice!.id)).status).toBe('paid')
  })

  it('When npm run emulator is given --speed max, Then its clock reports max', async () => {
    const standalone = await runEmulator(['--port', '0', '--speed', 'max'])
    const got = await controlJson(standalone.url, 'GET', '/_emulator/clock')
    expect(got.body).toMatchObject({ speed: 'max' })
  })

  it.each([
    ['max', 'max'],
    ['MAX', 'max'],
    ['20000', 20_000],
    ['0', 0],
    ['1.5', 1.5],
    ['fast', undefined],
    ['-1', undefined],
    ['', undefined],
    ['Infinity', undefined],
    ['10000001', undefined]
  ])('When a speed is typed as %j, Then it reads as %j', (raw, speed) => {
    expect(parseSpeed(raw)).toBe(speed)
  })

  it('When headless is given --speed max, Then it is accepted for the embedded emulator and refused for an external one', () => {
    expect(parseHeadlessOptions(['--speed', 'max']).speed).toBe('max')
    expect(parseHeadlessOptions(['--speed', '20000']).speed).toBe(20_000)
    expect(() =>
      parseHeadlessOptions(['--speed', 'max', '--emulator-url', 'http://127.0.0.1:1'])
    ).toThrow(UsageError)
    expect(() => parseHeadlessOptions(['--speed', 'max', '--emulator-url', 'http://x'])).toThrow(
      /--speed max needs the embedded emulator/
    )
  })
})
