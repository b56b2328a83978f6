/**
 * Keeps exactly one Stark webhook pointing at this installation. The URL changes when the port or the
 * tunnel changes, so webhooks carrying our secret path but an old URL are deleted (they would make
 * Stark retry into the void and keep events undelivered); other apps' webhooks are left alone.
 */
import type { StarkClient } from '../stark/client'

export const SUBSCRIPTIONS = ['invoice', 'transfer']

export async function ensureWebhook(
  stark: StarkClient,
  url: string,
  secret: string
): Promise<{ id: string; created: boolean; removed: number }> {
  let current: { id: string } | undefined
  let removed = 0
  for (const webhook of await stark.listWebhooks()) {
    if (!webhook.url.includes(secret)) continue
    if (webhook.url === url && !current) current = webhook
    else {
      await stark.deleteWebhook(webhook.id)
      removed++
    }
  }
  if (current) return { id: current.id, created: false, removed }
  const created = await stark.createWebhook(url, SUBSCRIPTIONS)
  return { id: created.id, created: true, removed }
}
