/**
 * What never leaves main for a front end. No code path is meant to put a key into a message, but a
 * library's error text is not ours to vouch for; and the webhook's secret path segment (the first
 * filter before a delivery's signature is checked) stays off a projected screen.
 */

const PEM_BLOCK =
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g

export const redactSecrets = (text: string): string => text.replace(PEM_BLOCK, '[private key]')

/** `http://127.0.0.1:5000/stark/webhook/<secret>` -> `http://127.0.0.1:5000/stark/webhook/…` */
export function hideWebhookSecret<T extends string | null | undefined>(url: T): T {
  if (!url) return url
  return url.replace(/(\/stark\/webhook\/)[^/?#]+/, '$1…') as T
}
