/**
 * Keeps exactly one Stark webhook pointing at this installation. The URL changes when the port or the
 * tunnel changes, so this installation's webhooks at an old URL are deleted (they would make Stark
 * retry into the void and keep events undelivered); other apps' webhooks are left alone.
 *
 * Recognising "ours": a webhook is this installation's when its URL carries our secret path (the
 * rule since the start), or when it carries our owner tag. The tag (`?ssim-owner=<installation id>.
 * <state folder key>`) is what survives a lost state folder: the installation id lives in the user's
 * app-data (secrets/installation-id.ts), the folder key is derived from the folder's path. A state
 * folder that lost `installation.json` gets a new secret, but the same tag, so its old webhook is
 * recognised and deleted instead of collecting failed deliveries (246 instead of about 16 before).
 * Another state folder of the same installation (another path), another installation and another
 * app all carry other tags, or none, and are never touched.
 *
 * The tag rides in the query, not the path: the webhook server matches the path only and ignores the
 * query (webhook-acceptance.ts `pathMatches`), so no part of the engine has to know the tag.
 */
import { createHash } from 'node:crypto'
import { resolve } from 'node:path'
import type { StarkClient } from '../stark/client'
import { WEBHOOK_PATH_PREFIX } from './webhook-server'

export const SUBSCRIPTIONS = ['invoice', 'transfer']

export const OWNER_PARAM = 'ssim-owner'

export interface WebhookOwner {
  /** From the user's app-data (loadInstallationId), not from the state folder. */
  installationId: string
  /** The state folder the webhook's run lives in. */
  stateDir: string
}

export function ownerTag(owner: WebhookOwner): string {
  const folder = createHash('sha256').update(resolve(owner.stateDir)).digest('hex').slice(0, 10)
  return `${owner.installationId}.${folder}`
}

/**
 * The URL to register for a public base URL (a tunnel's, or the user's own): the local webhook
 * server's secret path under that base, tagged with the owner when one is given.
 */
export function publicWebhookUrl(
  publicBase: string,
  localWebhookUrl: string,
  owner?: WebhookOwner
): string {
  const url = new URL(publicBase.replace(/\/+$/, '') + new URL(localWebhookUrl).pathname)
  if (owner) url.searchParams.set(OWNER_PARAM, ownerTag(owner))
  return url.toString()
}

/** The owner tag of one of our webhook URLs, if it is one. */
export function ownerOf(url: string): string | undefined {
  try {
    const parsed = new URL(url)
    if (!parsed.pathname.startsWith(WEBHOOK_PATH_PREFIX)) return undefined
    return parsed.searchParams.get(OWNER_PARAM) ?? undefined
  } catch {
    return undefined
  }
}

export async function ensureWebhook(
  stark: StarkClient,
  url: string,
  secret: string
): Promise<{ id: string; created: boolean; removed: number }> {
  const owner = ownerOf(url)
  let current: { id: string } | undefined
  let removed = 0
  for (const webhook of await stark.listWebhooks()) {
    const ours =
      webhook.url.includes(secret) || (owner !== undefined && ownerOf(webhook.url) === owner)
    if (!ours) continue
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
