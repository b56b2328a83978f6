/**
 * Known failures of the headless CLI: each one prints what went wrong and what to do on stderr,
 * exits 1, and never shows a stack trace or a raw JSON dump.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { generateKeyPairSync } from 'node:crypto'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startEmulator, type Emulator } from '../../src/main/emulator/emulator'
import { createRuntime } from '../../src/main/runtime/runtime'
import { CliProcess, killAllChildren, runHeadless } from '../helpers/cli-process'

let dir: string
const cleanups: (() => Promise<unknown>)[] = []
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ssim-cli-failures-'))
})
afterEach(async () => {
  await killAllChildren()
  for (const cleanup of cleanups.splice(0)) await cleanup()
  await rm(dir, { recursive: true, force: true })
})

async function expectKnownFailure(child: CliProcess, ...phrases: (string | RegExp)[]) {
  const exit = await child.waitForExit(60_000)
  expect(exit, child.describe()).toEqual({ code: 1, signal: null })
  const lines = child.stderr.trim().split('\n')
  const error = lines.find((l) => l.startsWith('error: '))
  expect(error, child.describe()).toBeDefined()
  for (const phrase of phrases) expect(error).toMatch(phrase)
  expect(child.stderr).not.toMatch(/^\s+at /m)
  expect(child.stderr).not.toContain('node:internal')
  expect(child.stderr).not.toMatch(/\{"errors"/)
  expect(child.lines).toEqual([])
}

async function emulator(seed: number): Promise<Emulator> {
  const e = await startEmulator({ speed: 0, seed })
  cleanups.push(() => e.stop())
  return e
}

const secp256k1Key = (): string =>
  generateKeyPairSync('ec', { namedCurve: 'secp256k1' })
    .privateKey.export({ type: 'sec1', format: 'pem' })
    .toString()

describe('known failures', () => {
  it('When the webhook port is taken, Then it says so and what to do', async () => {
    const blocker: Server = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => new Promise((resolve) => blocker.close(resolve)))
    const port = (blocker.address() as { port: number }).port
    const child = runHeadless(['--webhook-port', String(port), '--state-dir', join(dir, 's')])
    await expectKnownFailure(child, `port ${port}`, 'already in use', 'Choose another port')
  })

  it('When the dashboard port is taken, Then it says so and what to do', async () => {
    const blocker: Server = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => new Promise((resolve) => blocker.close(resolve)))
    const port = (blocker.address() as { port: number }).port
    const child = runHeadless(['--ui', '--ui-port', String(port), '--state-dir', join(dir, 's')])
    await expectKnownFailure(child, `port ${port}`, 'already in use', 'Choose another --ui-port')
  })

  it('When the state folder is a file, Then it says so and what to do', async () => {
    await writeFile(join(dir, 'file'), 'not a folder')
    const child = runHeadless(['--state-dir', join(dir, 'file')])
    await expectKnownFailure(child, join(dir, 'file'), 'is a file', 'choose another state folder')
  })

  it('When the private key file is missing, Then it names the file and says what to give', async () => {
    const child = runHeadless([
      ...['--sandbox', '--project-id', '123', '--private-key', join(dir, 'nope.pem')],
      ...['--state-dir', join(dir, 's')]
    ])
    await expectKnownFailure(
      child,
      join(dir, 'nope.pem'),
      'there is no file there',
      'Choose the privateKey.pem file'
    )
  })

  it("When the embedded emulator's state file is damaged, Then the message names the file", async () => {
    const stateDir = join(dir, 's')
    await mkdir(stateDir)
    await writeFile(join(stateDir, 'emulator-state.json'), '{"version": 1, "invoi')
    const child = runHeadless(['--state-dir', stateDir])
    await expectKnownFailure(child, join(stateDir, 'emulator-state.json'), 'Move it')
  })

  it('When the network is down in sandbox mode, Then it says Stark cannot be reached and what to check', async () => {
    const keyFile = join(dir, 'key.pem')
    await writeFile(keyFile, secp256k1Key(), { mode: 0o600 })
    // A proxy on a closed port: no request can leave, whatever this machine's network.
    const child = runHeadless(
      [
        ...['--sandbox', '--project-id', '123', '--private-key', keyFile],
        ...['--state-dir', join(dir, 's')]
      ],
      { HTTPS_PROXY: 'http://127.0.0.1:9', NO_PROXY: '' }
    )
    await expectKnownFailure(child, 'Cannot reach the Stark sandbox', 'internet connection')
  })

  it('When another process holds the folder, Then it names that process', async () => {
    const stateDir = join(dir, 's')
    await mkdir(stateDir)
    const holder = new CliProcess('tests/runtime/fixtures/hold-lock.ts', [stateDir])
    await holder.waitForJson((l) => l.type === 'locked', 30_000, 'locked line')
    const child = runHeadless(['--state-dir', stateDir])
    await expectKnownFailure(child, `in use by process ${holder.pid}`, 'Stop that process first')
  })

  it('When the folder belongs to another emulator, Then it names both and the folder to use', async () => {
    const a = await emulator(1)
    const b = await emulator(2)
    const stateDir = join(dir, 's')
    const runtime = createRuntime({
      realTime: () => Date.now(),
      target: { kind: 'external', url: a.url },
      stateDir
    })
    await runtime.start()
    await runtime.stop()
    const child = runHeadless(['--emulator-url', b.url, '--state-dir', stateDir])
    await expectKnownFailure(
      child,
      `workspace ${a.core.state.workspaceId}`,
      `workspace ${b.core.state.workspaceId}`,
      `.ssim-state/external-127.0.0.1-${b.port}`
    )
  })
})
