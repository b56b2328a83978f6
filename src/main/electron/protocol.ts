/**
 * The renderer is served from `app://renderer/`, a privileged custom scheme (standard, secure), not
 * from file://: file:// pages share one opaque origin with every file on disk and get privileges a
 * web page should not have (electron docs/tutorial/security.md item 18). Only files inside the
 * built renderer folder are served, each with the app's Content-Security-Policy.
 */
import { protocol } from 'electron'
import { readFile } from 'node:fs/promises'
import { extname, resolve } from 'node:path'
import { fileFor } from '../web/static-files'

export const APP_SCHEME = 'app'
export const APP_HOST = 'renderer'
export const APP_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`

/**
 * The desktop page's policy: only its own scripts, no network at all (it talks to main over IPC),
 * no forms posted anywhere, no <base>, no plugins, never framed.
 */
export const DESKTOP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'none'",
  "form-action 'none'",
  "base-uri 'none'",
  "object-src 'none'",
  "frame-ancestors 'none'"
].join('; ')

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2'
}

/** Must run before the app is ready (Electron reads privileged schemes once, at startup). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: false, corsEnabled: false }
    }
  ])
}

/** Answers one app:// request from `root` (exported for tests). */
export async function answerAppRequest(root: string, url: string): Promise<Response> {
  const target = new URL(url)
  const notFound = (): Response =>
    new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain' } })
  if (target.host !== APP_HOST) return notFound()
  const file = fileFor(resolve(root), target.pathname)
  if (!file) return notFound()
  const body = await readFile(file).catch(() => undefined)
  if (!body) return notFound()
  return new Response(new Uint8Array(body), {
    headers: {
      'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Security-Policy': DESKTOP_CSP,
      'X-Content-Type-Options': 'nosniff'
    }
  })
}

/** Serves `root` on app://renderer/ (after the app is ready). */
export function serveRenderer(root: string): void {
  protocol.handle(APP_SCHEME, (request) => answerAppRequest(root, request.url))
}
