// @vitest-environment node
/**
 * The renderer never receives key material. The renderer's own dashboard client (the code the
 * browser runs) drives the real runtime on the embedded emulator through the dashboard, presented
 * as a sandbox project; the runtime's project key (in its state folder) is known, and every frame
 * that reaches the client, answers, refusals and pushes alike, is searched for that key in every
 * encoding it could leak in.
 */
import { createPrivateKey } from 'node:crypto'
import { mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { downloadHost } from '../../src/main/app/download-host'
import type { HostDeps } from '../../src/main/app/ports'
import { confPrefs } from '../../src/main/app/prefs'
import { startDashboard, type Dashboard } from '../../src/main/web/dashboard'
import { connectDashboard, type DashboardApi } from '../../src/renderer/src/lib/dashboard-client'
import type { Result } from '../../src/shared/contract'
import { HOUR } from '../helpers/engine-steps'
import { startRuntimePorts, type RuntimePortsEnv } from '../helpers/runtime-ports-env'

/** Every form the private key could take in a message. */
function secretForms(privatePem: string): string[] {
  const key = createPrivateKey(privatePem)
  const der = key.export({ format: 'der', type: 'sec1' })
  const pkcs8 = key.export({ format: 'der', type: 'pkcs8' })
  const jwk = key.export({ format: 'jwk' }) as { d: string }
  const scalar = Buffer.from(jwk.d, 'base64url')
  const pemBody = privatePem.split('\n').filter((line) => line && !line.startsWith('-----'))
  return [
    'PRIVATE KEY',
    ...pemBody.filter((line) => line.length >= 16),
    der.toString('base64'),
    pkcs8.toString('base64'),
    der.toString('hex'),
    scalar.toString('hex'),
    scalar.toString('base64'),
    jwk.d,
    // The scalar as a decimal string (the SDK's ellipticcurve library holds it as a big integer).
    BigInt(`0x${scalar.toString('hex')}`).toString(10)
  ]
}

/** ws's WebSocket, recording every frame the client is handed. */
function recordingSocket(frames: string[]): typeof globalThis.WebSocket {
  class Recording extends WebSocket {
    constructor(url: string) {
      super(url, { headers: { Origin: new URL(url).origin.replace('ws:', 'http:') } })
      this.addEventListener('message', (event) => frames.push(String(event.data)))
    }
  }
  return Recording as unknown as typeof globalThis.WebSocket
}

const data = <T>(result: Result<T>): T => {
  if (!result.ok) throw new Error(`expected ok, got ${result.code}: ${result.message}`)
  return result.data
}

describe('key material', () => {
  let env: RuntimePortsEnv
  let privatePem: string
  let projectId: string
  let dashboard: Dashboard
  let api: DashboardApi
  const frames: string[] = []

  beforeAll(async () => {
    env = await startRuntimePorts()
    privatePem = await env.projectKeyPem()
    projectId = env.runtime.target.projectId ?? ''
    const deps: HostDeps = {
      info: { name: 'Stark Sandbox Simulator', version: '0.0.0', host: 'dashboard' },
      // Looks like the real sandbox to the renderer: a project id next to a known private key.
      status: () => {
        const status = env.ports.status()
        return {
          ...status,
          environment: 'sandbox',
          target: { ...status.target, kind: 'sandbox', label: `Sandbox project ${projectId}` }
        }
      },
      live: env.ports.live,
      prefs: confPrefs(env.stateDir),
      host: downloadHost()
    }
    const root = await mkdtemp(join(tmpdir(), 'ssim-renderer-'))
    await mkdir(root, { recursive: true })
    await writeFile(join(root, 'index.html'), '<!doctype html>')
    dashboard = await startDashboard({ deps, rendererDir: root })
    api = connectDashboard({
      url: `ws://127.0.0.1:${dashboard.port}/ws`,
      token: dashboard.token,
      WebSocketImpl: recordingSocket(frames)
    })
  })
  afterAll(async () => {
    api.disconnect()
    await dashboard.stop()
    await env.cleanup()
  })

  it('When a whole run is driven from the renderer, Then no frame it receives holds the private key', async () => {
    const pushes: unknown[] = []
    api.on('journal', (p) => pushes.push(p))
    api.on('status', (p) => pushes.push(p))

    expect(data(await api.app.info()).host).toBe('dashboard')
    data(await api.session.ready({ afterSeq: 0 }))
    const status = data(await api.runtime.status())
    expect(status).toMatchObject({ environment: 'sandbox', target: { projectId } })
    data(
      await api.run.start({
        plan: { batches: 2, intervalMs: HOUR, minInvoices: 1, maxInvoices: 2, settleMs: HOUR }
      })
    )
    const { invoiceId } = data(await api.run.oneInvoice({ name: 'Ana Souza', amount: 2500 }))
    data(await api.invoice.payNow({ invoiceId }))
    data(await api.emulator.clock({ advanceSeconds: 2 * 3600 }))
    await env.runtime.simulator.idle()
    await env.clock.advance(3 * HOUR)
    await env.runtime.simulator.idle()
    data(await api.invoice.chain({ invoiceId }))
    data(await api.snapshot.get())
    data(await api.journal.entries({ limit: 500 }))
    data(await api.run.export())
    data(await api.emulator.faults())
    data(await api.prefs.set({ theme: 'dark' }))
    // Refusals and failures travel too: their messages must be clean as well.
    await api.invoice.qrcode({ invoiceId })
    await api.document.open({ kind: 'transfer', id: '1234567890' })
    await api.event.replay({ eventId: '1234567890123456' })
    await api.transfer.retry({ invoiceId })
    await api.run.start({})
    await api.prefs.set({ theme: 'neon' } as never)
    await new Promise((r) => setTimeout(r, 300))

    expect(pushes.length).toBeGreaterThan(0)
    expect(frames.length).toBeGreaterThan(20)
    expect(projectId).toMatch(/^\d+$/)
    expect(privatePem).toContain('BEGIN EC PRIVATE KEY')
    const everything = frames.join('\n')
    expect(everything).toContain(projectId)
    expect(everything).toContain('invoice.credited')
    for (const form of secretForms(privatePem))
      expect(everything.includes(form), `a frame holds the key as ${form.slice(0, 12)}…`).toBe(
        false
      )
    // Nor the webhook's secret path segment (its URL is shown with the segment hidden).
    const { webhookSecret } = JSON.parse(
      await readFile(join(env.stateDir, 'installation.json'), 'utf8')
    ) as { webhookSecret: string }
    expect(everything.includes(webhookSecret)).toBe(false)
    expect(everything).toContain('/stark/webhook/…')
    // The same search finds the key when it is there: the check itself can fail.
    expect(secretForms(privatePem).some((f) => privatePem.includes(f))).toBe(true)
  })
})
