/**
 * Serves the built renderer (`out/renderer`, made by `electron-vite build`) read-only: GET and HEAD
 * of files inside that folder, nothing above it, with the dashboard's security headers.
 */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, resolve, sep } from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8'
}

export function securityHeaders(csp: string): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Frame-Options': 'DENY',
    'Cache-Control': 'no-store'
  }
}

/** The file a URL path names inside `root`, or undefined when it would leave it. */
export function fileFor(root: string, urlPath: string): string | undefined {
  let path: string
  try {
    path = decodeURIComponent(urlPath)
  } catch {
    return undefined
  }
  if (path.includes('\0')) return undefined
  const file = resolve(join(root, path === '/' ? 'index.html' : path))
  return file === root || file.startsWith(root.endsWith(sep) ? root : root + sep) ? file : undefined
}

export async function serveStatic(
  root: string,
  req: IncomingMessage,
  res: ServerResponse,
  headers: Record<string, string>
): Promise<void> {
  const send = (status: number, text: string): void => {
    res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' })
    res.end(req.method === 'HEAD' ? undefined : text)
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'Method not allowed\n')
  const urlPath = new URL(req.url ?? '/', 'http://dashboard').pathname
  const file = fileFor(root, urlPath)
  if (!file) return send(404, 'Not found\n')
  const info = await stat(file).catch(() => undefined)
  if (!info?.isFile()) return send(404, 'Not found\n')
  res.writeHead(200, {
    ...headers,
    'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': String(info.size)
  })
  if (req.method === 'HEAD') return void res.end()
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res)
}
