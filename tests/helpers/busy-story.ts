/**
 * A short story that touches every kind of stored record: invoices paid, credited, changed,
 * canceled, reversed and expired; transfers sent, failed and canceled; webhook deliveries accepted
 * and refused (attempts, retries); events patched and deleted; a webhook deleted; a project added.
 * Persistence tests run it and check that what is on disk is what the emulator holds.
 */
import type { Emulator } from '../../src/main/emulator/emulator'
import { generateKeyPair } from '../../src/main/stark/keys'
import type { StarkSdk } from '../../src/main/stark/sdk'
import { controlJson } from './raw-client'
import type { WebhookReceiver } from './webhook-receiver'
import { DEFAULT_DESTINATION } from '../../src/shared/plan'

const MINUTE = 60_000

export const BUSY_BEHAVIOUR = {
  autoPayRatio: 0.5,
  payDelaySeconds: [60, 1800] as [number, number],
  creditDelaySeconds: [10, 300] as [number, number]
}

const person = (i: number): { name: string; taxId: string; tags: string[] } => ({
  name: `Payer ${i}`,
  taxId: '012.345.678-90',
  tags: [`story`, `n${i % 3}`]
})

const transfer = (
  sdk: StarkSdk,
  amount: number,
  externalId: string
): InstanceType<StarkSdk['Transfer']> =>
  new sdk.Transfer({
    amount,
    ...DEFAULT_DESTINATION,
    externalId,
    tags: ['story']
  })

/** Runs one chapter; `chapter` varies amounts and ids so that chapters can follow each other. */
export async function busyChapter(
  emulator: Emulator,
  sdk: StarkSdk,
  receiver: WebhookReceiver,
  chapter: number
): Promise<void> {
  const webhook = await sdk.webhook.create({
    url: receiver.url,
    subscriptions: ['invoice', 'transfer']
  })
  const invoices = await sdk.invoice.create(
    Array.from(
      { length: 30 },
      (_, i) => new sdk.Invoice({ amount: 2_000 + chapter * 100 + i, ...person(i) })
    )
  )
  receiver.status = 200
  await emulator.clock.advance(10 * MINUTE)
  receiver.status = 500
  await emulator.clock.advance(40 * MINUTE)
  receiver.status = 200

  const open = invoices.filter((i) => emulator.core.state.invoices[i.id]?.status === 'created')
  if (open.length < 6) throw new Error(`the story needs 6 unpaid invoices, got ${open.length}`)
  await sdk.invoice.update(open[0]!.id, { amount: 1_500 })
  await sdk.invoice.update(open[1]!.id, { status: 'canceled' })
  await sdk.invoice.update(open[2]!.id, {
    due: new Date(emulator.clock.now() + 60_000).toISOString()
  })
  for (const invoice of open.slice(3, 6))
    await controlJson(emulator.url, 'POST', `/_emulator/invoices/${invoice.id}/pay`, {})
  await emulator.clock.advance(5 * MINUTE)
  const credited = (await sdk.invoice.query({
    status: 'paid',
    tags: ['story']
  })) as unknown as AsyncIterable<{ id: string; amount: number; transactionIds: string[] }>
  for await (const invoice of credited) {
    if (invoice.transactionIds.length > 0) {
      await sdk.invoice.update(invoice.id, { amount: invoice.amount - 100 })
      break
    }
  }

  const sent = await sdk.transfer.create([
    transfer(sdk, 300 + chapter, `story-${chapter}-a`),
    transfer(sdk, 400 + chapter, `story-${chapter}-b`),
    transfer(sdk, 500_000_000, `story-${chapter}-big`)
  ])
  await sdk.transfer.delete(sent[1]!.id)
  await emulator.clock.advance(MINUTE)

  const events = (await sdk.event.query({ limit: 5 })) as unknown as AsyncIterable<{ id: string }>
  const some: string[] = []
  for await (const event of events) some.push(event.id)
  await sdk.event.update(some[0]!, { isDelivered: true })
  await sdk.event.delete(some[1]!)
  await sdk.webhook.delete(webhook.id)
  emulator.registerProject(generateKeyPair().publicPem)
  // Past every due date and expiry of the open invoices.
  await emulator.clock.advance(3 * 24 * 60 * MINUTE)
}
