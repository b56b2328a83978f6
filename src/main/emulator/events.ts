/**
 * Events, their delivery attempts and the webhooks they are delivered to (shared/stark-api.md §3.3,
 * §3.4, §4). Resource modules only call `core.emit`; everything after that happens here.
 */
import type { EmulatorCore } from './core'
import { WebhookDelivery } from './delivery'
import { StarkError } from './errors'
import { dateRange, listParam, page } from './listing'
import type { Router } from './router'
import type { EventAttempt, StarkEvent } from './types'
import { registerWebhookRoutes } from './webhooks'

function findEvent(core: EmulatorCore, id: string | undefined): StarkEvent {
  const event = id === undefined ? undefined : core.state.events[id]
  if (!event) throw StarkError.of('invalidEvent', `Event ${String(id)} does not exist`)
  return event
}

function findAttempt(core: EmulatorCore, id: string | undefined): EventAttempt {
  const attempt = id === undefined ? undefined : core.state.attempts[id]
  if (!attempt)
    throw StarkError.of('invalidEventAttempt', `Event attempt ${String(id)} does not exist`)
  return attempt
}

function isDeliveredFilter(query: URLSearchParams): boolean | undefined {
  const raw = query.get('isDelivered')
  if (raw === null || raw === '') return undefined
  if (raw === 'true' || raw === 'false') return raw === 'true'
  throw StarkError.of('invalidParameter', `isDelivered must be true or false, got ${raw}`)
}

/** `isDelivered` is the only field Stark lets a client change (OAS). */
function parsePatch(body: unknown): boolean {
  const keys =
    typeof body === 'object' && body !== null && !Array.isArray(body) ? Object.keys(body) : []
  const value = (body as { isDelivered?: unknown } | undefined)?.isDelivered
  if (keys.length !== 1 || keys[0] !== 'isDelivered' || typeof value !== 'boolean') {
    throw StarkError.of('invalidJson', 'The body must be {"isDelivered": true|false}')
  }
  return value
}

export function registerEvents(api: Router, core: EmulatorCore): { stop(): Promise<void> } {
  const delivery = new WebhookDelivery(core)
  core.onEvent((event) => delivery.enqueue(event))
  core.on('event.deliver', (job) => delivery.handle(job), { keepUntilDone: true })
  registerWebhookRoutes(api, core, (webhookId) => delivery.onWebhookDeleted(webhookId))

  // --- Events ---

  api.add('GET', '/v2/event', (req) => {
    const delivered = isDeliveredFilter(req.query)
    const range = dateRange(req.query)
    return page(core.indexes.events, req.query, 'events', {
      created: range.keys,
      anyOf: delivered === undefined ? [] : [{ field: 'isDelivered', values: [String(delivered)] }],
      matches: (event) =>
        (delivered === undefined || event.isDelivered === delivered) && range.matches(event.created)
    })
  })

  api.add('GET', '/v2/event/:id', (req) => ({ event: findEvent(core, req.params.id) }))

  api.add('PATCH', '/v2/event/:id', (req) => {
    const event = findEvent(core, req.params.id)
    event.isDelivered = parsePatch(req.body)
    core.changed('events', event.id)
    return { event }
  })

  api.add('DELETE', '/v2/event/:id', (req) => {
    const event = findEvent(core, req.params.id)
    core.remove('events', event.id)
    delivery.onEventDeleted(event.id)
    return { event }
  })

  // --- Attempts: the literal `attempt` segment wins over `/v2/event/:id` in the router ---

  api.add('GET', '/v2/event/attempt', (req) => {
    const eventIds = listParam(req.query, 'eventIds')
    const webhookIds = listParam(req.query, 'webhookIds')
    const range = dateRange(req.query)
    return page(core.indexes.attempts, req.query, 'attempts', {
      created: range.keys,
      anyOf: [
        ...(eventIds ? [{ field: 'eventId', values: eventIds }] : []),
        ...(webhookIds ? [{ field: 'webhookId', values: webhookIds }] : [])
      ],
      matches: (attempt) =>
        (!eventIds || eventIds.includes(attempt.eventId)) &&
        (!webhookIds || webhookIds.includes(attempt.webhookId)) &&
        range.matches(attempt.created)
    })
  })

  api.add('GET', '/v2/event/attempt/:id', (req) => ({ attempt: findAttempt(core, req.params.id) }))

  return { stop: () => delivery.stop() }
}
