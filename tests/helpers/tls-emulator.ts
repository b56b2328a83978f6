/**
 * The emulator behind real TLS, as sandbox.api.starkbank.com: a test CA (generated with selfsigned)
 * signs a certificate for that name, and an HTTPS front forwards every request to the emulator's
 * plain-HTTP port. With `trust()` given to the real `sandboxAgent`, the sandbox target's code runs
 * end to end (TLS with checks on, auth headers, error mapping) without the real sandbox.
 * `intercept` answers chosen requests itself, for failures the emulator does not produce.
 */
import { createServer, type Server } from 'node:https'
import { request, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { generate } from 'selfsigned'
import type { SandboxTrustOverride } from '../../src/main/stark/transport'

export const SANDBOX_HOST = 'sandbox.api.starkbank.com'

export interface TlsEmulator {
  port: number
  /** PEM of the test CA. */
  ca: string
  /** What the sandbox agent needs to reach this front and trust it. */
  trust(): SandboxTrustOverride
  /** Requests seen (method, path, Host, Access-Id), in order. */
  seen: { method: string; path: string; host: string; accessId: string }[]
  intercept(
    fn: ((req: IncomingMessage) => { status: number; body: unknown } | undefined) | undefined
  ): void
  close(): Promise<void>
}

export async function startTlsEmulator(emulatorPort: number): Promise<TlsEmulator> {
  const notAfterDate = new Date(Date.now() + 24 * 3600 * 1000)
  const ca = await generate([{ name: 'commonName', value: 'Stark Sandbox Simulator test CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    curve: 'P-256',
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }
    ]
  })
  const leaf = await generate([{ name: 'commonName', value: SANDBOX_HOST }], {
    keyType: 'ec',
    algorithm: 'sha256',
    curve: 'P-256',
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: SANDBOX_HOST }] }
    ]
  })
  let interceptor: Parameters<TlsEmulator['intercept']>[0]
  const seen: TlsEmulator['seen'] = []
  const server: Server = createServer({ key: leaf.private, cert: leaf.cert }, (req, res) => {
    seen.push({
      method: req.method ?? '',
      path: req.url ?? '',
      host: req.headers.host ?? '',
      accessId: String(req.headers['access-id'] ?? '')
    })
    const canned = interceptor?.(req)
    if (canned) {
      const text = JSON.stringify(canned.body)
      res.writeHead(canned.status, { 'Content-Type': 'application/json' })
      res.end(text)
      return
    }
    const upstream = request(
      {
        host: '127.0.0.1',
        port: emulatorPort,
        method: req.method,
        path: req.url,
        headers: req.headers
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      }
    )
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    port,
    ca: ca.cert,
    trust: () => ({ connectTo: { host: '127.0.0.1', port }, extraCa: ca.cert }),
    seen,
    intercept: (fn) => void (interceptor = fn),
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  }
}
