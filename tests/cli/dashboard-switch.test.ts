/**
 * The headless engine's dashboard can change how Stark reaches it: the page chooses a localtunnel
 * tunnel, the CLI's runtime stops cleanly and a new one starts with the tunnel, its entries keep
 * printing in the CLI, and Ctrl-C stops whichever runtime runs then (the folder's lock released).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { lockFolder } from '../../src/main/runtime/folder-lock'
import { killAllChildren, ROOT, runHeadless } from '../helpers/cli-process'
import { helloSocket } from '../helpers/dashboard-socket'
import { startFakeLocaltunnel, type FakeLocaltunnel } from '../helpers/fake-localtunnel'

const LOCALHOST_NAMES = {
  NODE_OPTIONS: `--import ${pathToFileURL(join(ROOT, 'tests/helpers/localhost-names.mjs')).href}`
}

let dir: string
let fake: FakeLocaltunnel
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ssim-dashboard-switch-'))
  fake = await startFakeLocaltunnel()
})
afterEach(async () => {
  await killAllChildren()
  await fake.close()
  await rm(dir, { recursive: true, force: true })
})

describe('headless dashboard switching', () => {
  it('When the page turns the tunnel on, Then the runtime restarts with it, the CLI prints its entries, and SIGINT stops it cleanly', async () => {
    const stateDir = join(dir, 'emulator')
    const child = runHeadless(
      ['--ui', '--json', '--speed', '60', '--state-dir', stateDir],
      { ...LOCALHOST_NAMES, XDG_CONFIG_HOME: join(dir, 'config') }
    )
    const ready = await child.waitForJson((l) => l.type === 'ready', 30_000, 'ready')
    const url = new URL(String(ready.ui))
    const token = new URLSearchParams(url.hash.slice(1)).get('token') ?? ''
    const socket = await helloSocket(Number(url.port), token)

    const switched = await socket.call('environment:switch', [
      { environment: 'emulator', publicUrl: { mode: 'localtunnel', host: fake.host } }
    ])
    expect(switched, child.describe()).toMatchObject({
      ok: true,
      data: {
        environment: 'emulator',
        publicUrl: { mode: 'localtunnel', host: fake.host },
        stateDirs: { emulator: stateDir }
      }
    })
    const status = await socket.call('runtime:status')
    expect(status).toMatchObject({
      ok: true,
      data: { phase: 'running', stateDir, publicUrl: { mode: 'localtunnel', state: 'up' } }
    })
    // The new runtime's journal prints in the CLI like the first one's.
    await child.waitForJson(
      (l) => l.type === 'tunnel.state' && l.state === 'up',
      20_000,
      'the tunnel up'
    )

    socket.close()
    child.kill('SIGINT')
    const exit = await child.waitForExit(30_000)
    expect(exit.code, child.describe()).toBe(130)
    // Nothing holds the folder any more.
    const lock = await lockFolder(stateDir, {
      realTime: () => Date.now(),
      onCompromised: () => undefined
    })
    await lock.release()
  }, 90_000)
})
