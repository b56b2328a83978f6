/**
 * Webhooks, events, attempts and signed delivery, driven through the real `starkbank` SDK against the
 * emulator on a manual clock. A local receiver plays the app's webhook endpoint.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Invoice, InvoiceLog } from '../../src/main/emulator/types'
import { pythonJsonDumps } from '../../src/main/emulator/py-json'
import { NO_FAULTS } from '../../src/main/emulator/config'
import { controlJson, rawRequest, signedHeaders } from '../helpers/raw-client'
import { starkErrors, startSdkEmulator, type SdkEmulator } from '../helpers/sdk-emulator'
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver'
import { collectAll } from '../../src/main/stark/client'

const MINUTE = 60_000

let env: SdkEmulator
let receiver: WebhookReceiver

beforeAll(async () => {
  env = await startSdkEmulator({ behaviour: { autoPayRatio: 0 } })
})
afterAll(() => env.stop())

beforeEach(async () => {
  receiver = await startWebhookReceiver(() => env.emulator.clock.now())
})
afterEach(async () => {
  env.emulator.core.faults = { ...NO_FAULTS }
  for (const webhook of await collectAll(env.sdk.webhook.query()))
    await env.sdk.webhook.delete(webhook.id)
  await receiver.close()
})

let logCount = 0
function creditedLog(): InvoiceLog {
  const now = env.emulator.core.iso()
  const invoice: Invoice = {
    id: `59419255719854${String(10 + logCount++)}`,
    amount: 25_600,
    nominalAmount: 25_600,
    fineAmount: 0,
    interestAmount: 0,
    discountAmount: 0,
    fee: 50,
    name: 'João Ávila',
    taxId: '337.451.076-08',
    due: now,
    expiration: 5_097_600,
    fine: 2,
    interest: 1,
    discounts: [{ percentage: 10, due: now }],
    descriptions: [{ key: 'Field1', value: 'Something' }],
    tags: ['run-1'],
    rules: [],
    splits: [],
    displayDescription: '',
    brcode: '00020101021226890014br.gov.bcb.pix',
    link: 'https://emulator.sandbox.starkbank.com/invoicelink/abc',
    pdf: 'https://invoice-h.sandbox.starkbank.com/pdf/abc',
    status: 'paid',
    transactionIds: ['42243899797196738924666148216171'],
    created: now,
    updated: now
  }
  return {
    id: `46874574968586${String(10 + logCount)}`,
    created: now,
    type: 'credited',
    errors: [],
    invoice
  }
}

async function subscribe(subscriptions = ['invoice']): Promise<string> {
  const webhook = await env.sdk.webhook.create({ url: receiver.url, subscriptions })
  return webhook.id
}

/** Emits an invoice event and lets the manual clock run its first delivery. */
async function emitInvoiceEvent(): Promise<string> {
  const event = env.emulator.core.emit('invoice', creditedLog())
  await env.emulator.clock.advance(0)
  return event.id
}

const attemptsOf = (eventId: string) =>
  collectAll(env.sdk.event.attempt.query({ eventIds: [eventId] }))

/** Runs `fn` with the emulator's delivery timeout set to `ms`, then puts the old one back. */
async function withDeliveryTimeout(ms: number, fn: () => Promise<void>): Promise<void> {
  const { config } = env.emulator.core
  const previous = config.deliveryTimeoutMs
  config.deliveryTimeoutMs = ms
  try {
    await fn()
  } finally {
    config.deliveryTimeoutMs = previous
  }
}

describe('webhook registration', () => {
  it('When a webhook is created, Then get, query and delete answer it as Stark does', async () => {
    const created = await env.sdk.webhook.create({
      url: receiver.url,
      subscriptions: ['invoice', 'transfer']
    })
    expect(created.id).toMatch(/^\d{16}$/)
    expect(created.url).toBe(receiver.url)
    expect(created.subscriptions).toEqual(['invoice', 'transfer'])

    const fetched = await env.sdk.webhook.get(created.id)
    expect({ ...fetched }).toEqual({
      id: created.id,
      url: receiver.url,
      subscriptions: ['invoice', 'transfer']
    })
    const listed = await collectAll(env.sdk.webhook.query())
    expect(listed.map((w) => w.id)).toEqual([created.id])
    expect(Object.keys(listed[0] as object).sort()).toEqual(['id', 'subscriptions', 'url'])

    const deleted = await env.sdk.webhook.delete(created.id)
    expect(deleted.id).toBe(created.id)
    expect(await starkErrors(() => env.sdk.webhook.get(created.id))).toEqual({
      status: 400,
      codes: ['invalidWebhook']
    })
    expect(await collectAll(env.sdk.webhook.query())).toEqual([])
  })

  it('When url or subscriptions are invalid, Then 400 names each problem', async () => {
    const bad = (url: string, subscriptions: string[]) =>
      starkErrors(() => env.sdk.webhook.create({ url, subscriptions }))
    expect((await bad('ftp://example.com/hook', ['invoice'])).codes).toEqual(['invalidUrl'])
    expect((await bad('not a url', ['invoice'])).codes).toEqual(['invalidUrl'])
    expect((await bad(receiver.url, ['invoices'])).codes).toEqual(['invalidSubscription'])
    expect((await bad(receiver.url, [])).codes).toEqual(['invalidSubscription'])
    expect((await bad('ftp://x', ['nope'])).codes).toEqual(['invalidUrl', 'invalidSubscription'])
    expect(await starkErrors(() => env.sdk.webhook.delete('1234567890123456'))).toEqual({
      status: 400,
      codes: ['invalidWebhook']
    })
  })

  it('When webhooks are listed with a limit, Then pages are newest first and end with a null cursor', async () => {
    const ids: string[] = []
    for (let i = 0; i < 3; i++) {
      ids.push(await subscribe())
      await env.emulator.clock.advance(1000)
    }
    const [first, cursor] = await env.sdk.webhook.page({ limit: 2 })
    expect(first.map((w) => w.id)).toEqual([ids[2], ids[1]])
    const [second, end] = await env.sdk.webhook.page({ limit: 2, cursor })
    expect(second.map((w) => w.id)).toEqual([ids[0]])
    expect(end).toBeNull()
  })
})

describe('signed delivery', () => {
  it('When an event is emitted, Then the receiver gets a Python-formatted body that event.parse accepts', async () => {
    await subscribe()
    const eventId = await emitInvoiceEvent()

    expect(receiver.received).toHaveLength(1)
    const { body, headers } = receiver.received[0]!
    expect(headers['content-type']).toBe('application/json')
    expect(headers['user-agent']).toMatch(/^StarkBank-Webhook/)
    const signature = headers['digital-signature'] as string
    expect(signature).toMatch(/^[A-Za-z0-9+/]+=*$/)
    expect(body).toBe(pythonJsonDumps(JSON.parse(body)))
    expect(body).toContain('"name": "Jo\\u00e3o \\u00c1vila"')
    expect(body).toContain('"percentage": 10.0')
    expect(Object.keys(JSON.parse(body).event).sort()).toEqual([
      'created',
      'id',
      'log',
      'subscription',
      'workspaceId'
    ])

    const event = await env.sdk.event.parse({ content: body, signature })
    expect(event.id).toBe(eventId)
    expect((event.log as { type: string }).type).toBe('credited')
    expect(event.isDelivered).toBeUndefined()
    expect((await env.sdk.event.get(eventId)).isDelivered).toBe(true)
  })

  it('When the body is tampered with or re-stringified, Then event.parse throws InvalidSignatureError', async () => {
    await subscribe()
    await emitInvoiceEvent()
    const { body, headers } = receiver.received[0]!
    const signature = headers['digital-signature'] as string
    const tampered = body.replace('"amount": 25600', '"amount": 99999')
    expect(tampered).not.toBe(body)
    await expect(env.sdk.event.parse({ content: tampered, signature })).rejects.toBeInstanceOf(
      env.sdk.error.InvalidSignatureError
    )
    const compact = JSON.stringify(JSON.parse(body))
    await expect(env.sdk.event.parse({ content: compact, signature })).rejects.toBeInstanceOf(
      env.sdk.error.InvalidSignatureError
    )
  })

  it('When a webhook subscribes only to transfers, Then invoice events are not sent to it', async () => {
    await subscribe(['transfer'])
    const eventId = await emitInvoiceEvent()
    expect(receiver.received).toHaveLength(0)
    expect((await env.sdk.event.get(eventId)).isDelivered).toBe(false)
  })

  it('When one of two subscribed webhooks fails, Then the event stays undelivered until that webhook is gone', async () => {
    await subscribe()
    const failing = await env.sdk.webhook.create({
      url: 'http://127.0.0.1:1/closed',
      subscriptions: ['invoice']
    })
    const eventId = await emitInvoiceEvent()
    expect(receiver.received).toHaveLength(1)
    expect((await env.sdk.event.get(eventId)).isDelivered).toBe(false)
    const attempts = await attemptsOf(eventId)
    expect(attempts.map((a) => [a.code, a.webhookId])).toEqual([['badConnection', failing.id]])

    await env.sdk.webhook.delete(failing.id)
    expect((await env.sdk.event.get(eventId)).isDelivered).toBe(true)
    await env.emulator.clock.advance(300 * MINUTE)
    expect(receiver.received).toHaveLength(1)
  })
})

describe('events API', () => {
  it('When an event is queried, updated and deleted, Then isDelivered filters and deletion follow', async () => {
    const eventId = await emitInvoiceEvent()
    const undelivered = await collectAll(env.sdk.event.query({ isDelivered: false }))
    expect(undelivered.map((e) => e.id)).toContain(eventId)
    const fetched = await env.sdk.event.get(eventId)
    expect(fetched.subscription).toBe('invoice')
    expect(fetched.workspaceId).toBe(env.emulator.core.state.workspaceId)
    expect((fetched.log as { invoice: { amount: number } }).invoice.amount).toBe(25_600)

    const updated = await env.sdk.event.update(eventId, { isDelivered: true })
    expect(updated.isDelivered).toBe(true)
    expect(
      (await collectAll(env.sdk.event.query({ isDelivered: false }))).map((e) => e.id)
    ).not.toContain(eventId)
    expect(
      (await collectAll(env.sdk.event.query({ isDelivered: true }))).map((e) => e.id)
    ).toContain(eventId)

    const deleted = await env.sdk.event.delete(eventId)
    expect(deleted.id).toBe(eventId)
    expect(await starkErrors(() => env.sdk.event.get(eventId))).toEqual({
      status: 400,
      codes: ['invalidEvent']
    })
    expect((await collectAll(env.sdk.event.query())).map((e) => e.id)).not.toContain(eventId)
  })

  it('When the PATCH body holds anything but a boolean isDelivered, Then 400 invalidJson', async () => {
    const eventId = await emitInvoiceEvent()
    for (const body of ['{"isDelivered":"yes"}', '{"isDelivered":true,"id":"1"}', '{}', '[]']) {
      const res = await rawRequest(
        env.emulator.url,
        'PATCH',
        `/v2/event/${eventId}`,
        body,
        signedHeaders(env.projectId, env.keys.privatePem, body)
      )
      expect(res.status).toBe(400)
      expect(res.body).toEqual({ errors: [expect.objectContaining({ code: 'invalidJson' })] })
    }
  })

  it('When events are filtered by date, Then after/before bound their creation', async () => {
    const eventId = await emitInvoiceEvent()
    const day = new Date(env.emulator.clock.now()).toISOString().slice(0, 10)
    const nextDay = new Date(env.emulator.clock.now() + 86_400_000).toISOString().slice(0, 10)
    expect(
      (await collectAll(env.sdk.event.query({ after: day, before: day }))).map((e) => e.id)
    ).toContain(eventId)
    expect(
      (await collectAll(env.sdk.event.query({ after: nextDay }))).map((e) => e.id)
    ).not.toContain(eventId)
  })

  it('When an attempt id is unknown, Then 400 invalidEventAttempt (the attempt route beats /event/:id)', async () => {
    expect(await starkErrors(() => env.sdk.event.attempt.get('1234567890123456'))).toEqual({
      status: 400,
      codes: ['invalidEventAttempt']
    })
    expect(
      await collectAll(env.sdk.event.attempt.query({ eventIds: ['1234567890123456'] }))
    ).toEqual([])
  })
})

describe('retries', () => {
  it('When the receiver answers 500, Then Stark retries at +5, +30 and +120 minutes and stops', async () => {
    receiver.status = 500
    const webhookId = await subscribe()
    const start = env.emulator.clock.now()
    const eventId = await emitInvoiceEvent()
    await env.emulator.clock.advance(3 * 24 * 60 * MINUTE)

    expect(receiver.received.map((r) => (r.at - start) / MINUTE)).toEqual([0, 5, 35, 155])
    const bodies = new Set(receiver.received.map((r) => r.body))
    expect(bodies.size).toBe(1)
    const attempts = await attemptsOf(eventId)
    expect(attempts).toHaveLength(4)
    for (const attempt of attempts) {
      expect(attempt).toMatchObject({
        code: 'badHttpStatus',
        message: 'HTTP POST request returned status 500',
        eventId,
        webhookId
      })
    }
    const one = await env.sdk.event.attempt.get(attempts[0]!.id as string)
    expect(one.eventId).toBe(eventId)
    expect(
      (await collectAll(env.sdk.event.attempt.query({ webhookIds: [webhookId] }))).length
    ).toBe(4)
    expect((await env.sdk.event.get(eventId)).isDelivered).toBe(false)
    const pending = Object.values(env.emulator.core.state.jobs).filter(
      (j) => j.kind === 'event.deliver'
    )
    expect(pending).toEqual([])
  })

  it('When the receiver recovers before the second retry, Then isDelivered flips on the first 200', async () => {
    receiver.status = 500
    await subscribe()
    const start = env.emulator.clock.now()
    const eventId = await emitInvoiceEvent()
    await env.emulator.clock.advance(5 * MINUTE)
    expect(receiver.received).toHaveLength(2)
    expect((await env.sdk.event.get(eventId)).isDelivered).toBe(false)

    receiver.status = 200
    await env.emulator.clock.advance(30 * MINUTE)
    expect(receiver.received.map((r) => (r.at - start) / MINUTE)).toEqual([0, 5, 35])
    expect((await env.sdk.event.get(eventId)).isDelivered).toBe(true)
    await env.emulator.clock.advance(24 * 60 * MINUTE)
    expect(receiver.received).toHaveLength(3)
    expect((await attemptsOf(eventId)).map((a) => a.code)).toEqual([
      'badHttpStatus',
      'badHttpStatus'
    ])
  })

  it('When the receiver is slower than the delivery timeout, Then a timeout attempt is recorded', async () => {
    receiver.delayMs = 1000
    await withDeliveryTimeout(100, async () => {
      await subscribe()
      const eventId = await emitInvoiceEvent()
      expect((await attemptsOf(eventId)).map((a) => a.code)).toEqual(['timeout'])
    })
  })
})

describe('deliveries of one moment', () => {
  it('When several events become due at the same moment, Then they are posted together, each once', async () => {
    // Arrange: a receiver that answers none of them until all five are in, which only deliveries
    // posted together can satisfy (one at a time, the first would wait for its timeout)
    receiver.answerOnceReceived = 5
    await withDeliveryTimeout(2_000, async () => {
      await subscribe()
      const ids: string[] = []
      for (let i = 0; i < 5; i++) ids.push(env.emulator.core.emit('invoice', creditedLog()).id)

      // Act
      await env.emulator.clock.advance(0)

      // Assert
      expect(receiver.received).toHaveLength(5)
      for (const id of ids) {
        expect((await env.sdk.event.get(id)).isDelivered).toBe(true)
        expect(await attemptsOf(id)).toEqual([])
      }
    })
  })
})

describe('delivery faults', () => {
  it('When duplicates are injected, Then the receiver gets two identical signed copies', async () => {
    await controlJson(env.emulator.url, 'PUT', '/_emulator/faults', { duplicateDeliveries: 1 })
    await subscribe()
    const eventId = await emitInvoiceEvent()
    expect(receiver.received).toHaveLength(2)
    const [a, b] = receiver.received
    expect(b!.body).toBe(a!.body)
    expect(b!.headers['digital-signature']).toBe(a!.headers['digital-signature'])
    expect((await env.sdk.event.get(eventId)).isDelivered).toBe(true)
    expect(await attemptsOf(eventId)).toEqual([])
  })

  it('When a delivery is dropped, Then a timeout attempt is recorded and the retry is delivered', async () => {
    env.emulator.core.faults = { ...NO_FAULTS, dropDeliveries: 1 }
    await subscribe()
    const eventId = await emitInvoiceEvent()
    expect(receiver.received).toHaveLength(0)
    const attempts = await attemptsOf(eventId)
    expect(attempts.map((a) => a.code)).toEqual(['timeout'])

    env.emulator.core.faults = { ...NO_FAULTS }
    await env.emulator.clock.advance(5 * MINUTE)
    expect(receiver.received).toHaveLength(1)
    expect((await env.sdk.event.get(eventId)).isDelivered).toBe(true)
  })

  it('When a shuffle window is set, Then deliveries arrive later in real time, all validly signed', async () => {
    env.emulator.core.faults = { ...NO_FAULTS, shuffleWindowMs: 50 }
    await subscribe()
    const ids: string[] = []
    for (let i = 0; i < 5; i++) ids.push(env.emulator.core.emit('invoice', creditedLog()).id)
    await env.emulator.clock.advance(0)
    const received = await receiver.waitFor(5)
    const parsed = await Promise.all(
      received.map((r) =>
        env.sdk.event.parse({
          content: r.body,
          signature: r.headers['digital-signature'] as string
        })
      )
    )
    expect(parsed.map((e) => e.id).sort()).toEqual([...ids].sort())
    await vi.waitFor(() => {
      for (const id of ids) expect(env.emulator.core.state.events[id]?.isDelivered).toBe(true)
    })
  })
})

describe('end to end with the invoice module', () => {
  it('When an SDK invoice is paid through the control API, Then a credited event reaches the receiver', async () => {
    await subscribe()
    const [invoice] = await env.sdk.invoice.create([
      new env.sdk.Invoice({ amount: 10_000, name: 'Ana Souza', taxId: '012.345.678-90' })
    ])
    const paid = await controlJson(
      env.emulator.url,
      'POST',
      `/_emulator/invoices/${invoice!.id}/pay`
    )
    expect(paid.status).toBe(200)
    await env.emulator.clock.advance(24 * 60 * MINUTE)

    const events = await Promise.all(
      receiver.received.map((r) =>
        env.sdk.event.parse({
          content: r.body,
          signature: r.headers['digital-signature'] as string
        })
      )
    )
    const credited = events.find(
      (e) =>
        (e.log as { type: string; invoice?: { id: string } }).type === 'credited' &&
        (e.log as { invoice?: { id: string } }).invoice?.id === invoice!.id
    )
    expect(credited).toBeDefined()
    const log = credited!.log as { invoice: { amount: number; fee: number; status: string } }
    expect(log.invoice.amount).toBe(10_000)
    expect(log.invoice.status).toBe('paid')
    expect((await env.sdk.event.get(credited!.id)).isDelivered).toBe(true)
  })
})
