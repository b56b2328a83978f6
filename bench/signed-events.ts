/**
 * Genuine-looking signed webhook deliveries: copies of a real `created` invoice event the emulator
 * emitted (for an invoice another app issued, so the engine records each one and calls no API), each
 * with its own event and log id, serialized exactly as the emulator serializes webhook bodies and
 * signed with the emulator's key.
 */
import { createPrivateKey, sign } from 'node:crypto'
import type { Emulator } from '../src/main/emulator/emulator'
import { webhookBody } from '../src/main/emulator/delivery'
import type { StarkEvent } from '../src/main/emulator/types'
import { createRng } from '../src/main/time/rng'
import { randomCpf } from '../src/main/stark/tax-id'
import type { StarkSdk } from '../src/main/stark/sdk'

export interface SignedDelivery {
  body: string
  signature: string
}

/** Creates one invoice tagged for another app and returns the event of its `created` log. */
async function foreignInvoiceEvent(emulator: Emulator, sdk: StarkSdk): Promise<StarkEvent> {
  const [invoice] = await sdk.invoice.create([
    new sdk.Invoice({
      amount: 12_345,
      name: 'Outra Aplicação Ltda',
      taxId: randomCpf(createRng(7)),
      tags: ['other-app', 'order-991']
    })
  ])
  const event = Object.values(emulator.core.state.events).find(
    (e) => e.log.type === 'created' && 'invoice' in e.log && e.log.invoice.id === invoice?.id
  )
  if (!event) throw new Error('the emulator emitted no created event for the bench invoice')
  return event
}

/** `count` distinct signed deliveries; ids look like Stark's 16-digit ids and never repeat. */
export async function signedDeliveries(
  emulator: Emulator,
  sdk: StarkSdk,
  count: number
): Promise<SignedDelivery[]> {
  const template = await foreignInvoiceEvent(emulator, sdk)
  const key = createPrivateKey(emulator.core.state.signingKey.privatePem)
  const out: SignedDelivery[] = []
  for (let i = 0; i < count; i++) {
    const event: StarkEvent = {
      ...template,
      id: `5${String(900_000_000_000_000 + i).padStart(15, '0')}`,
      log: { ...template.log, id: `6${String(900_000_000_000_000 + i).padStart(15, '0')}` }
    }
    const body = webhookBody(event)
    out.push({ body, signature: sign('sha256', Buffer.from(body), key).toString('base64') })
  }
  return out
}
