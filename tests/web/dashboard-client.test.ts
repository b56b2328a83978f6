// @vitest-environment node
/**
 * The renderer's dashboard client (the code the browser runs) against the real dashboard: after
 * the socket drops mid-stream it reconnects by itself and resumes from the last seq it delivered,
 * so the page sees every entry once; a refused token stops it with a message that says what to do.
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startDashboard, type Dashboard } from '../../src/main/web/dashboard'
import { connectDashboard, takeToken } from '../../src/renderer/src/lib/dashboard-client'
import { memoryHostDeps } from '../helpers/host-deps'

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const until = async (check: () => boolean, ms = 10_000): Promise<void> => {
  const end = performance.now() + ms
  while (!check()) {
    if (performance.now() > end) throw new Error('condition not met in time')
    await sleep(10)
  }
}

/** ws's client with the Origin a browser on the dashboard's page would send. */
class PageSocket extends WebSocket {
  static opened: PageSocket[] = []
  constructor(url: string) {
    super(url, { headers: { Origin: new URL(url).origin.replace('ws:', 'http:') } })
    PageSocket.opened.push(this)
  }
}
const Impl = PageSocket as unknown as typeof globalThis.WebSocket

async function rendererDir(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'ssim-renderer-'))
  await writeFile(join(root, 'index.html'), '<!doctype html>')
  return root
}

describe('dashboard client', () => {
  let dashboard: Dashboard | undefined
  afterEach(async () => {
    await dashboard?.stop()
    PageSocket.opened.length = 0
  })

  it('When the socket drops while entries stream, Then it reconnects and the page gets each entry once, in order', async () => {
    const { deps, journal } = await memoryHostDeps()
    dashboard = await startDashboard({ deps, rendererDir: await rendererDir() })
    const api = connectDashboard({
      url: `ws://127.0.0.1:${dashboard.port}/ws`,
      token: dashboard.token,
      WebSocketImpl: Impl
    })
    const seen: number[] = []
    api.on('journal', ({ entries }) => seen.push(...entries.map((e) => e.seq)))
    expect(await api.session.ready({ afterSeq: 0 })).toEqual({ ok: true, data: { lastSeq: 0 } })

    for (let i = 0; i < 40; i++) {
      journal.append(25)
      if (i === 15 || i === 30) (PageSocket.opened.at(-1) as PageSocket).terminate()
      await sleep(20)
    }
    await until(() => seen.at(-1) === journal.lastSeq())

    expect(PageSocket.opened.length).toBeGreaterThanOrEqual(3)
    expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1))
    expect(await api.app.info()).toMatchObject({ ok: true })
    api.disconnect()
  })

  it('When the token is wrong, Then calls answer refused with what to do, and it stops retrying', async () => {
    const { deps } = await memoryHostDeps()
    dashboard = await startDashboard({ deps, rendererDir: await rendererDir() })
    const api = connectDashboard({
      url: `ws://127.0.0.1:${dashboard.port}/ws`,
      token: 'not-the-token',
      WebSocketImpl: Impl
    })

    const result = await api.app.info()
    await sleep(600)

    expect(result).toMatchObject({ ok: false, code: 'refused' })
    expect(!result.ok && result.message).toMatch(/Open the dashboard URL the engine printed/)
    expect(PageSocket.opened).toHaveLength(1)
    api.disconnect()
  })

  it('When the URL carries the token, Then it is kept for reloads and removed from the address bar', () => {
    const store = new Map<string, string>()
    const storage = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v)
    }
    const replaced: (string | undefined)[] = []
    const history = {
      replaceState: (_d: unknown, _u: string, url?: string) => void replaced.push(url)
    }

    const first = takeToken(
      { hash: '#token=abc123', pathname: '/', search: '', host: 'h' },
      storage,
      history
    )
    const reload = takeToken({ hash: '', pathname: '/', search: '', host: 'h' }, storage, history)

    expect(first).toBe('abc123')
    expect(reload).toBe('abc123')
    expect(replaced).toEqual(['/'])
  })
})
