/**
 * Webhook registration (shared/stark-api.md §3.3). The SDK repeats the create body in the query
 * string; Stark evidently ignores it there, so only the body is read.
 */
import type { EmulatorCore } from './core'
import { ErrorList, StarkError } from './errors'
import { page } from './listing'
import type { Router } from './router'
import type { Webhook, WebhookRecord } from './types'

/** Stark's documented subscriptions (OAS) plus `tax-payment`, which the SDK's Event type knows. */
export const WEBHOOK_SUBSCRIPTIONS: readonly string[] = [
  'deposit',
  'invoice',
  'brcode-payment',
  'transfer',
  'utility-payment',
  'boleto',
  'boleto-payment',
  'darf-payment',
  'payment-request',
  'boleto-holmes',
  'tax-payment'
]

const MAX_URL_LENGTH = 2000

export function webhookView(record: WebhookRecord): Webhook {
  return { id: record.id, url: record.url, subscriptions: [...record.subscriptions] }
}

/**
 * Real Stark demands HTTPS with a publicly trusted certificate; the emulator also takes plain http
 * and loopback hosts, because its receivers are local test servers and tunnels.
 */
function checkUrl(url: unknown, errors: ErrorList): string | undefined {
  if (typeof url !== 'string' || url.length === 0 || url.length > MAX_URL_LENGTH) {
    errors.add('invalidUrl', 'url must be an http(s) URL')
    return undefined
  }
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    errors.add('invalidUrl', `${url} is not a valid URL`)
    return undefined
  }
  if ((parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || !parsed.hostname) {
    errors.add('invalidUrl', `${url} must use http or https`)
    return undefined
  }
  return url
}

function checkSubscriptions(subscriptions: unknown, errors: ErrorList): string[] {
  if (!Array.isArray(subscriptions) || subscriptions.length === 0) {
    errors.add('invalidSubscription', 'subscriptions must be a non-empty list')
    return []
  }
  const unique: string[] = []
  for (const item of subscriptions) {
    if (typeof item !== 'string' || !WEBHOOK_SUBSCRIPTIONS.includes(item)) {
      errors.add(
        'invalidSubscription',
        `${JSON.stringify(item)} is not a subscription; use one of ${WEBHOOK_SUBSCRIPTIONS.join(', ')}`
      )
    } else if (!unique.includes(item)) {
      unique.push(item)
    }
  }
  return unique
}

function findWebhook(core: EmulatorCore, id: string | undefined): WebhookRecord {
  const record = id === undefined ? undefined : core.state.webhooks[id]
  if (!record) throw StarkError.of('invalidWebhook', `Webhook ${String(id)} does not exist`)
  return record
}

/** `onDeleted` lets delivery drop the deleted webhook's pending work. */
export function registerWebhookRoutes(
  api: Router,
  core: EmulatorCore,
  onDeleted: (webhookId: string) => void
): void {
  api.add('POST', '/v2/webhook', (req) => {
    const body = req.body
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw StarkError.of('invalidJson', 'The body must be an object with url and subscriptions')
    }
    const { url, subscriptions } = body as Record<string, unknown>
    const errors = new ErrorList()
    const checkedUrl = checkUrl(url, errors)
    const checkedSubscriptions = checkSubscriptions(subscriptions, errors)
    errors.throwIfAny()
    const record: WebhookRecord = {
      id: core.newId(),
      url: checkedUrl as string,
      subscriptions: checkedSubscriptions,
      created: core.iso()
    }
    core.put('webhooks', record.id, record)
    return { message: 'Webhook successfully created', webhook: webhookView(record) }
  })

  api.add('GET', '/v2/webhook', (req) => {
    const result = page(core.indexes.webhooks, req.query, 'webhooks', {
      anyOf: [],
      matches: () => true
    })
    return { ...result, webhooks: (result.webhooks as WebhookRecord[]).map(webhookView) }
  })

  api.add('GET', '/v2/webhook/:id', (req) => ({
    webhook: webhookView(findWebhook(core, req.params.id))
  }))

  api.add('DELETE', '/v2/webhook/:id', (req) => {
    const record = findWebhook(core, req.params.id)
    core.remove('webhooks', record.id)
    onDeleted(record.id)
    return { webhook: webhookView(record) }
  })
}
