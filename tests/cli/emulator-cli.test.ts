/**
 * The standalone emulator (`npm run emulator`) as a child process: its one JSON ready line, its
 * control API, a clean stop on Ctrl-C, and a restart on the same state file.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CliProcess, killAllChildren, runEmulator } from '../helpers/cli-process'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ssim-emulator-cli-'))
})
afterEach(async () => {
  await killAllChildren()
  await rm(dir, { recursive: true, force: true })
})

describe('emulator CLI', () => {
  it('When started with --json --port 0, Then it prints exactly one JSON line {url, publicKey} and serves its control API', async () => {
    const { process: emulator, url, publicKey } = await runEmulator(['--port', '0'])
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(publicKey).toContain('-----BEGIN PUBLIC KEY-----')

    const response = await fetch(`${url}/_emulator/state`)
    expect(response.status).toBe(200)
    const state = (await response.json()) as Record<string, unknown>
    expect(state).toMatchObject({ invoices: {}, transfers: {}, balance: 0 })

    emulator.kill('SIGINT')
    const exit = await emulator.waitForExit(5_000)
    expect(exit).toEqual({ code: 0, signal: null })
    expect(emulator.lines.filter((line) => line.trim() !== '')).toHaveLength(1)
    expect(Object.keys(JSON.parse(emulator.lines[0] as string) as object).sort()).toEqual([
      'publicKey',
      'url'
    ])
  })

  it('When stopped with SIGINT and restarted on its --state-file, Then the file exists and the same signing key is served', async () => {
    const stateFile = join(dir, 'emulator-state.json')
    const first = await runEmulator(['--port', '0', '--state-file', stateFile])
    first.process.kill('SIGINT')
    expect(await first.process.waitForExit(5_000)).toEqual({ code: 0, signal: null })
    expect((await stat(stateFile)).size).toBeGreaterThan(0)

    const second = await runEmulator(['--port', '0', '--state-file', stateFile])
    expect(second.publicKey).toBe(first.publicKey)
    const served = await fetch(`${second.url}/_emulator/state`)
    expect(served.status).toBe(200)
    second.process.kill('SIGTERM')
    expect(await second.process.waitForExit(5_000)).toEqual({ code: 0, signal: null })
  })

  it('When given a bad option, Then it exits 2 and says what it accepts', async () => {
    const bad = new CliProcess('src/cli/emulator.ts', ['--speed', 'fast'])
    const exit = await bad.waitForExit(15_000)
    expect(exit.code).toBe(2)
    expect(bad.stderr).toContain('--speed must be a non-negative number')
    expect(bad.stderr).toContain('Usage: npm run emulator')
  })
})
