/**
 * The installation's identity, kept in the user's app-data store (beside the preferences), not in a
 * state folder. It is not secret: it rides in the webhook URL so that this installation recognises
 * its own webhooks at Stark even after a state folder (and its webhook secret) was lost, and deletes
 * them instead of leaving Stark to retry into the void (see engine/webhook-registration.ts).
 */
import { randomBytes } from 'node:crypto'
import Conf from 'conf'
import type { KeyValueStore } from './kv-store'

export const INSTALLATION_ID_KEY = 'installationId'

const VALID = /^[a-z0-9]{12,32}$/

/** Reads the id, creating it on first use. A damaged value is replaced (it identifies, nothing more). */
export function loadInstallationId(
  store: KeyValueStore,
  random: () => Buffer = () => randomBytes(16)
): string {
  const current = store.get(INSTALLATION_ID_KEY)
  if (typeof current === 'string' && VALID.test(current)) return current
  // base32-like lower case: survives any URL handling and reads well in a webhook list.
  const id = [...random()].map((b) => 'abcdefghijklmnopqrstuvwxyz234567'[b % 32]).join('')
  store.set(INSTALLATION_ID_KEY, id)
  return id
}

/**
 * The CLI's and the dashboard's installation id: in the user's config folder (conf's, e.g.
 * ~/.config/stark-sandbox-simulator-nodejs/installation.json), which outlives any state folder.
 */
export function userInstallationId(): string {
  return loadInstallationId(
    new Conf<Record<string, unknown>>({
      projectName: 'stark-sandbox-simulator',
      configName: 'installation'
    })
  )
}
