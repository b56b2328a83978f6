/**
 * The headless CLI with a public webhook URL: `--tunnel --tunnel-host <the fake localtunnel
 * service>` runs the default trial to completion at high speed, the embedded emulator delivering
 * through the tunnel; and the public URL flags are checked before anything starts.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { killAllChildren, ROOT, runHeadless } from '../helpers/cli-process'
import { startFakeLocaltunnel, type FakeLocaltunnel } from '../helpers/fake-localtunnel'

/** `<id>.localhost`, the fake service's public names, resolve in the child too. */
const LOCALHOST_NAMES = {
  NODE_OPTIONS: `--import ${pathToFileURL(join(ROOT, 'tests/helpers/localhost-names.mjs')).href}`
}
/** The user's config folder, where the installation id lives (conf follows XDG_CONFIG_HOME). */
const configHome = (): Record<string, string> => ({ XDG_CONFIG_HOME: join(dir, 'config') })

let dir: string
let fake: FakeLocaltunnel
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ssim-tunnel-cli-'))
  fake = await startFakeLocaltunnel()
})
afterEach(async () => {
  await killAllChildren()
  await fake.close()
  await rm(dir, { recursive: true, force: true })
})

describe('headless CLI with a public URL', () => {
  it('When run with --tunnel --tunnel-host <service>, Then ready names the tunnel, the emulator delivers through it, the tunnel is journaled, and the run ends with an ok summary', async () => {
    const child = runHeadless(
      [
        ...['--tunnel', '--tunnel-host', fake.host, '--speed', '20000', '--json', '--seed', '2'],
        ...['--settle-minutes', '60', '--state-dir', join(dir, 'state')]
      ],
      { ...LOCALHOST_NAMES, ...configHome() }
    )
    const exit = await child.waitForExit(150_000)
    expect(exit, child.describe()).toEqual({ code: 0, signal: null })
    const lines = child.json()
    const ready = lines[0]!
    expect(ready.type).toBe('ready')
    const publicUrl = ready.publicUrl as { state: string; url: string; mode: string }
    expect(publicUrl).toMatchObject({ mode: 'localtunnel', host: fake.host, state: 'up' })
    expect(publicUrl.url).toMatch(/^http:\/\/[a-z0-9-]+\.localhost:\d+$/)
    expect(publicUrl).toMatchObject({ webhook: { state: 'registered' } })
    // Tagged with this installation's id from the user's config folder, not the state folder.
    const installation = JSON.parse(
      await readFile(
        join(dir, 'config', 'stark-sandbox-simulator-nodejs', 'installation.json'),
        'utf8'
      )
    ) as { installationId: string }
    const registered = new URL((publicUrl as { webhook?: { url?: string } }).webhook?.url ?? '')
    expect(registered.searchParams.get('ssim-owner')).toContain(installation.installationId)

    const summary = lines.at(-1)!
    expect(summary).toMatchObject({ type: 'summary', ok: true, invariantsHold: true, batches: 8 })
    expect(summary.transfersSucceeded).toBe(summary.credited)
    const tunnel = lines.filter((l) => l.type === 'tunnel.state')
    expect(tunnel.map((l) => l.state)).toEqual(expect.arrayContaining(['connecting', 'up']))
    const viaWebhook = lines.filter((l) => l.type === 'event.received' && l.source === 'webhook')
    expect(viaWebhook.length).toBeGreaterThan(0)
    const delivered = fake.publicRequests.filter(
      (r) => r.path.startsWith('/stark/webhook/') && r.status === 200
    )
    // No other way in: the local URL was never registered, so every delivery took the tunnel.
    expect(delivered.length).toBeGreaterThanOrEqual(viaWebhook.length)
  }, 180_000)

  it('When the tunnel is up, Then the human ready line says where Stark delivers', async () => {
    const child = runHeadless(
      [
        ...['--tunnel', '--tunnel-host', fake.host, '--speed', '20000', '--batches', '1'],
        ...['--settle-minutes', '0', '--state-dir', join(dir, 'state')]
      ],
      LOCALHOST_NAMES
    )
    await child.waitForExit(60_000)
    expect(child.lines[0]).toMatch(
      /^ready: webhook http:\/\/127\.0\.0\.1:\d+\/\S+, tunnel http:\/\/[a-z0-9-]+\.localhost:\d+, emulator /
    )
    expect(
      child.lines.some((l) =>
        /^tunnel up at http:\/\/\S+\.localhost:\d+: Stark's webhooks reach this app through it$/.test(
          l
        )
      )
    ).toBe(true)
  }, 90_000)

  it.each([
    [['--tunnel-host', 'http://127.0.0.1:1'], '--tunnel-host applies with --tunnel only'],
    [['--tunnel', '--public-url', 'https://example.org'], 'choose either --tunnel or --public-url'],
    [['--public-url', 'http://example.org'], 'Stark delivers webhooks only to https://'],
    [
      ['--tunnel', '--tunnel-host', 'ftp://x'],
      'The tunnel host must look like https://localtunnel.me'
    ]
  ])(
    'When given %j, Then it exits 2 saying "%s" and shows the flag’s usage',
    async (args, said) => {
      const child = runHeadless([...args, '--state-dir', join(dir, 'state')])
      expect((await child.waitForExit(20_000)).code).toBe(2)
      expect(child.stderr).toContain(said)
      expect(child.stderr).toMatch(/\n {2}--(tunnel-host|public-url) URL /)
      expect(child.lines).toEqual([])
    }
  )
})
