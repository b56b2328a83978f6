/**
 * Nothing acknowledged is lost when the emulator is killed outright. The standalone emulator runs as
 * a child process at high speed on a state file (payments, credits and webhook posts happen while
 * the test creates invoices and transfers as fast as it can), is killed with SIGKILL while requests
 * are in flight, and is started again on the same file, three times. After each restart, checked
 * through the SDK: every invoice and transfer the emulator answered for exists as answered, and every
 * event a webhook received exists, with a log and a status no older than what the webhook said.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { generateKeyPair } from '../../src/main/stark/keys'
import { connectStark, type StarkSdk } from '../../src/main/stark/sdk'
import { killAllChildren, runEmulator, type EmulatorProcess } from '../helpers/cli-process'
import { controlJson } from '../helpers/raw-client'
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver'
import { DEFAULT_DESTINATION } from '../../src/shared/plan'

const LIVES = 3
/** Statuses an invoice goes through, in order; a restart may never show an earlier one. */
const INVOICE_ORDER = ['created', 'paid']

let dir: string
let receiver: WebhookReceiver
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ssim-sigkill-'))
  receiver = await startWebhookReceiver(() => 0)
})
afterEach(async () => {
  await killAllChildren()
  await receiver.close()
  await rm(dir, { recursive: true, force: true })
})

interface Acked {
  invoices: Map<string, { amount: number; tags: string[] }>
  transfers: Map<string, { amount: number; externalId: string }>
}

interface Heard {
  eventId: string
  type: string
  subjectId: string
  subscription: string
}

function heardEvents(r: WebhookReceiver): Heard[] {
  return r.received.map((delivery) => {
    const { event } = JSON.parse(delivery.body) as {
      event: {
        id: string
        subscription: string
        log: { type: string; invoice?: { id: string }; transfer?: { id: string } }
      }
    }
    return {
      eventId: event.id,
      type: event.log.type,
      subscription: event.subscription,
      subjectId: (event.log.invoice ?? event.log.transfer)?.id as string
    }
  })
}

async function connect(
  emulator: EmulatorProcess,
  keys: ReturnType<typeof generateKeyPair>
): Promise<StarkSdk> {
  const registered = await controlJson(emulator.url, 'POST', '/_emulator/projects', {
    publicKey: keys.publicPem
  })
  const { projectId } = registered.body as { projectId: string }
  return connectStark(
    { kind: 'emulator', url: emulator.url },
    { projectId, privateKey: keys.privatePem }
  )
}

/** Creates invoices and transfers, three requests at a time, until `enough` of them were answered. */
async function stream(sdk: StarkSdk, acked: Acked, life: number, enough: number): Promise<void> {
  let answered = 0
  let n = 0
  const worker = async (): Promise<void> => {
    while (answered < enough) {
      const i = n++
      if (i % 4 === 3) {
        const externalId = `kill-${life}-${i}`
        const transfer = new sdk.Transfer({
          amount: 100 + i,
          ...DEFAULT_DESTINATION,
          externalId
        })
        const [created] = await sdk.transfer.create([transfer])
        acked.transfers.set(created!.id, { amount: created!.amount, externalId })
      } else {
        const created = await sdk.invoice.create(
          Array.from(
            { length: 5 },
            (_, k) =>
              new sdk.Invoice({
                amount: 1_000 + i * 10 + k,
                name: 'Ana Souza',
                taxId: '012.345.678-90',
                tags: [`life-${life}`]
              })
          )
        )
        for (const invoice of created)
          acked.invoices.set(invoice.id, { amount: invoice.amount, tags: invoice.tags ?? [] })
      }
      answered++
    }
  }
  // The third worker's request is usually in flight when the kill comes.
  await Promise.race([worker(), worker(), worker()])
}

async function all<T>(query: unknown): Promise<T[]> {
  const out: T[] = []
  for await (const item of (await query) as AsyncIterable<T>) out.push(item)
  return out
}

/** Reads everything back in a few list requests, and checks it against what was acknowledged. */
async function checkEverything(sdk: StarkSdk, acked: Acked): Promise<void> {
  type Invoice = { id: string; amount: number; tags: string[]; status: string }
  type Transfer = { id: string; amount: number; externalId: string }
  type Event = {
    id: string
    log: { type: string; invoice?: { id: string }; transfer?: { id: string } }
  }
  const invoices = new Map((await all<Invoice>(sdk.invoice.query({}))).map((i) => [i.id, i]))
  const transfers = new Map((await all<Transfer>(sdk.transfer.query({}))).map((t) => [t.id, t]))
  const events = new Map((await all<Event>(sdk.event.query({}))).map((e) => [e.id, e]))

  for (const [id, expected] of acked.invoices) {
    const invoice = invoices.get(id)
    expect(invoice, `acknowledged invoice ${id}`).toBeDefined()
    expect(invoice?.amount).toBe(expected.amount)
    expect(invoice?.tags).toEqual(expect.arrayContaining(expected.tags))
  }
  for (const [id, expected] of acked.transfers) {
    const transfer = transfers.get(id)
    expect(transfer, `acknowledged transfer ${id}`).toBeDefined()
    expect({ amount: transfer?.amount, externalId: transfer?.externalId }).toEqual(expected)
  }
  for (const heard of heardEvents(receiver)) {
    const event = events.get(heard.eventId)
    expect(event, `posted event ${heard.eventId}`).toBeDefined()
    expect(event?.log.type).toBe(heard.type)
    expect((event?.log.invoice ?? event?.log.transfer)?.id).toBe(heard.subjectId)
    if (heard.subscription === 'invoice' && INVOICE_ORDER.includes(heard.type)) {
      const status = invoices.get(heard.subjectId)?.status ?? 'missing'
      expect(INVOICE_ORDER.indexOf(status)).toBeGreaterThanOrEqual(
        INVOICE_ORDER.indexOf(heard.type)
      )
    }
  }
}

describe('emulator killed with SIGKILL', () => {
  it('When killed mid-stream and restarted, Then every acknowledged change and every posted event is there', async () => {
    const stateFile = join(dir, 'emulator-state.json')
    const keys = generateKeyPair()
    const acked: Acked = { invoices: new Map(), transfers: new Map() }
    for (let life = 0; life < LIVES; life++) {
      // Each life runs a day per minute and more: payments and credits land during the stream.
      const emulator = await runEmulator([
        '--state-file',
        stateFile,
        '--speed',
        '3000',
        '--seed',
        '4'
      ])
      const sdk = await connect(emulator, keys)
      if (life === 0)
        await sdk.webhook.create({ url: receiver.url, subscriptions: ['invoice', 'transfer'] })
      await stream(sdk, acked, life, 15 + life * 10)
      emulator.process.kill('SIGKILL')
      expect((await emulator.process.waitForExit(10_000)).signal).toBe('SIGKILL')

      // Frozen (speed 0), so that nothing moves while it is checked.
      const checking = await runEmulator(['--state-file', stateFile, '--speed', '0'])
      await checkEverything(await connect(checking, keys), acked)
      checking.process.kill('SIGTERM')
      expect(await checking.process.waitForExit(10_000)).toEqual({ code: 0, signal: null })
    }
    expect(acked.invoices.size).toBeGreaterThan(50)
    expect(heardEvents(receiver).some((e) => e.type === 'credited')).toBe(true)
  }, 120_000)
})
