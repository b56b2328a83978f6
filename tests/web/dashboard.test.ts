// @vitest-environment node
/**
 * The browser dashboard's guards, over real HTTP and WebSocket on 127.0.0.1: the per-launch token,
 * Host (DNS rebinding) and Origin (cross-site pages) on every request and upgrade, the served
 * page's headers, and every operation's argument parsed before anything runs.
 */
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { HostDeps } from '../../src/main/app/ports'
import { checkHead, tokenMatches } from '../../src/main/web/acceptance'
import { startDashboard, type Dashboard } from '../../src/main/web/dashboard'
import { OPERATION_NAMES, operations, type OperationName } from '../../src/shared/contract'
import { CLOSE_UNAUTHORIZED } from '../../src/shared/dashboard-protocol'
import { helloSocket, openSocket } from '../helpers/dashboard-socket'
import { memoryHostDeps } from '../helpers/host-deps'
import type { MemoryJournal } from '../helpers/memory-journal'

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'GET',
        headers: { Connection: 'close', ...headers }
      },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (body += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      }
    )
    req.on('error', reject)
    req.end()
  })
}

describe('browser dashboard', () => {
  let dashboard: Dashboard
  let deps: HostDeps
  let journal: MemoryJournal
  let port: number

  beforeAll(async () => {
    const root = await mkdtemp(join(tmpdir(), 'ssim-renderer-'))
    await mkdir(join(root, 'assets'))
    await writeFile(join(root, 'index.html'), '<!doctype html><title>dash</title>')
    await writeFile(join(root, 'assets', 'app.js'), 'console.log(1)')
    ;({ deps, journal } = await memoryHostDeps())
    dashboard = await startDashboard({ deps, rendererDir: root, helloTimeoutMs: 500 })
    port = dashboard.port
  })
  afterAll(() => dashboard.stop())

  describe('the acceptance rule', () => {
    it('When Host is this dashboard and Origin absent or its own, Then it is accepted', () => {
      expect(checkHead({ host: '127.0.0.1:4000', origin: undefined }, 4000)).toEqual({ ok: true })
      expect(checkHead({ host: 'localhost:4000', origin: 'http://localhost:4000' }, 4000)).toEqual({
        ok: true
      })
    })

    it('When Host or Origin name anything else, Then it is refused', () => {
      for (const host of ['evil.example:4000', '127.0.0.1:4001', '127.0.0.1', undefined])
        expect(checkHead({ host, origin: undefined }, 4000).ok).toBe(false)
      for (const origin of ['http://evil.example', 'https://127.0.0.1:4000', 'null'])
        expect(checkHead({ host: '127.0.0.1:4000', origin }, 4000).ok).toBe(false)
    })

    it('When the token differs in any way, Then it does not match', () => {
      expect(tokenMatches('abc', 'abc')).toBe(true)
      for (const given of ['abd', 'ab', 'abcd', '', undefined, 42, null])
        expect(tokenMatches(given, 'abc')).toBe(false)
    })
  })

  describe('HTTP', () => {
    it('When the page is asked for, Then it comes with a strict CSP that allows only its own socket', async () => {
      const page = await get(port, '/')

      expect(page.status).toBe(200)
      expect(page.body).toContain('<title>dash</title>')
      const csp = String(page.headers['content-security-policy'])
      expect(csp).toContain("script-src 'self'")
      expect(csp).toContain(`connect-src ws://127.0.0.1:${port}`)
      for (const rule of [
        "form-action 'none'",
        "base-uri 'none'",
        "object-src 'none'",
        "frame-ancestors 'none'"
      ])
        expect(csp).toContain(rule)
      expect(csp).not.toContain('unsafe-eval')
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/)
      expect(page.headers['x-content-type-options']).toBe('nosniff')
      expect((await get(port, '/assets/app.js')).headers['content-type']).toMatch(/javascript/)
    })

    it('When Host is foreign (DNS rebinding), Then every request is refused', async () => {
      const answer = await get(port, '/', { Host: `evil.example:${port}` })

      expect(answer.status).toBe(421)
      expect(answer.body).not.toContain('<title>')
    })

    it('When Origin is a foreign site, Then the request is refused', async () => {
      const answer = await get(port, '/', { Origin: 'http://evil.example' })

      expect(answer.status).toBe(403)
    })

    it('When a path tries to leave the renderer folder, Then it is not found', async () => {
      for (const path of [
        '/../package.json',
        '/%2e%2e/%2e%2e/etc/passwd',
        '/assets/../../x',
        '/%00'
      ])
        expect((await get(port, path)).status).toBe(404)
    })
  })

  describe('the socket', () => {
    it('When the upgrade has a foreign Host or Origin, Then it is refused before any frame', async () => {
      await expect(openSocket(port, { Host: `evil.example:${port}` })).rejects.toMatchObject({
        status: 421
      })
      await expect(openSocket(port, { Origin: 'http://evil.example' })).rejects.toMatchObject({
        status: 403
      })
      await expect(openSocket(port, {}, '/other')).rejects.toMatchObject({ status: 404 })
    })

    it('When the first frame carries a wrong token, Then the socket is closed unanswered', async () => {
      const socket = await openSocket(port, { Origin: `http://127.0.0.1:${port}` })
      socket.send({ t: 'hello', token: `${dashboard.token}x` })

      expect((await socket.closed).code).toBe(CLOSE_UNAUTHORIZED)
      expect(socket.frames).toEqual([])
    })

    it('When a call comes before hello, Then the socket is closed and nothing runs', async () => {
      const info = vi.spyOn(deps, 'status')
      const socket = await openSocket(port)
      socket.send({ t: 'call', id: 1, op: 'runtime:status', args: [] })

      expect((await socket.closed).code).toBe(CLOSE_UNAUTHORIZED)
      expect(socket.frames).toEqual([])
      expect(info).not.toHaveBeenCalled()
      info.mockRestore()
    })

    it('When no hello comes, Then the socket is closed after the timeout', async () => {
      const socket = await openSocket(port)

      expect((await socket.closed).code).toBe(CLOSE_UNAUTHORIZED)
    })

    it('When the token is right, Then calls are answered and pushes arrive after ready', async () => {
      const socket = await helloSocket(port, dashboard.token)
      journal.append(2)

      const info = await socket.call('app:info')
      const ready = await socket.call('session:ready', [{ afterSeq: 0 }])

      expect(info).toEqual({ ok: true, data: deps.info })
      expect(ready).toEqual({ ok: true, data: { lastSeq: 2 } })
      const end = performance.now() + 5_000
      while (!socket.frames.some((f) => f.t === 'push' && f.event === 'journal')) {
        if (performance.now() > end) throw new Error('no journal push')
        await new Promise((r) => setTimeout(r, 10))
      }
      socket.close()
    })

    it('When a frame names no operation of the contract, Then the socket is closed', async () => {
      const socket = await helloSocket(port, dashboard.token)
      socket.send({ t: 'call', id: 1, op: 'shell:exec', args: ['rm -rf /'] })

      expect((await socket.closed).code).toBe(4400)
    })
  })

  describe('arguments', () => {
    /** For each operation: arguments its schema must refuse. */
    const specific: Partial<Record<OperationName, unknown[]>> = {
      'session:ready': [{ afterSeq: -1 }, { afterSeq: 1.5 }],
      'run:start': [{ plan: { batches: 0 } }, { plan: { minInvoices: 5, maxInvoices: 2 } }],
      'run:stop': [{ reason: 'x'.repeat(201) }],
      'run:one-invoice': [{ amount: 1.5 }, { amount: 0 }, { name: '' }],
      'journal:entries': [{ limit: 5000 }, { limit: 10, filter: { kinds: ['secrets'] } }],
      'invoice:chain': [{ invoiceId: '../../etc/passwd' }, { invoiceId: 'a'.repeat(65) }],
      'invoice:qrcode': [{ invoiceId: '1', size: 500 }],
      'invoice:pay-now': [{ invoiceId: '1 OR 1=1' }],
      'document:open': [
        { kind: 'file', id: '1' },
        { kind: 'invoice', id: '/tmp/x' }
      ],
      'event:replay': [{ eventId: '' }],
      'transfer:retry': [{ invoiceId: null }],
      'emulator:clock': [{ speed: -1 }, { speed: 'fast' }, { advanceSeconds: -5 }],
      'emulator:faults': [{ dropDeliveries: 2 }, { apiErrorRate: -0.1 }],
      'prefs:set': [{ theme: 'neon' }, { speed: 'max', windowBounds: {} }]
    }

    it('When any operation gets arguments its schema refuses, Then it answers invalid_args and runs nothing', async () => {
      const socket = await helloSocket(port, dashboard.token)
      const touched = [
        vi.spyOn(deps, 'live'),
        vi.spyOn(deps.prefs, 'write'),
        vi.spyOn(deps, 'status')
      ]
      try {
        for (const op of OPERATION_NAMES) {
          const bad = [42, 'text', [1], { unexpected: true }, ...(specific[op] ?? [])]
          for (const args of bad) {
            expect(
              operations[op].args.safeParse(args).success,
              `${op} ${JSON.stringify(args)}`
            ).toBe(false)
            const result = await socket.call(op, [args])
            expect(result, `${op} ${JSON.stringify(args)}`).toMatchObject({
              ok: false,
              code: 'invalid_args'
            })
          }
          expect(await socket.call(op, [undefined, 'second'])).toMatchObject({
            ok: false,
            code: 'invalid_args'
          })
        }
        for (const spy of touched) expect(spy).not.toHaveBeenCalled()
      } finally {
        for (const spy of touched) spy.mockRestore()
        socket.close()
      }
    })
  })
})
