/**
 * The headless CLI (`npm run headless`) as a child process: a full run with the embedded emulator at
 * high speed, its JSON lines, a rerun on the finished state folder, bad usage, and a bad sandbox key
 * that must be refused without the key's content reaching the terminal.
 */
import { generateKeyPairSync } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CliProcess, killAllChildren, runHeadless, type JsonLine } from '../helpers/cli-process'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ssim-headless-cli-'))
})
afterEach(async () => {
  await killAllChildren()
  await rm(dir, { recursive: true, force: true })
})

const FULL_RUN = ['--speed', '20000', '--json', '--seed', '2', '--settle-minutes', '60']
/** Totals that a rerun on a finished folder must report unchanged. */
const TOTALS = ['batches', 'invoices', 'invoicedAmount', 'credited', 'transfersSent'] as const

function expectReadyAndSummary(lines: JsonLine[]): { ready: JsonLine; summary: JsonLine } {
  for (const line of lines) expect(typeof line.type).toBe('string')
  const ready = lines[0] as JsonLine
  const summary = lines[lines.length - 1] as JsonLine
  expect(ready.type).toBe('ready')
  expect(summary).toMatchObject({ type: 'summary', ok: true, problems: [], batches: 8 })
  expect(lines.filter((l) => l.type === 'ready')).toHaveLength(1)
  expect(lines.filter((l) => l.type === 'summary')).toHaveLength(1)
  return { ready, summary }
}

describe('headless CLI', () => {
  it('When a default run goes through the embedded emulator at high speed, Then it prints JSON lines from ready to an ok summary and exits 0, and a rerun on the finished folder only reports', async () => {
    const stateDir = join(dir, 'state')
    const first = runHeadless([...FULL_RUN, '--state-dir', stateDir])
    const firstExit = await first.waitForExit(150_000)
    expect(firstExit, first.describe()).toEqual({ code: 0, signal: null })

    const lines = first.json()
    const { ready, summary } = expectReadyAndSummary(lines)
    expect(ready.webhookUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\S+$/)
    expect(ready.emulatorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(ready.runId).toMatch(/^[0-9a-f]+$/)
    expect(lines[1]).toMatchObject({ type: 'run.started', runId: ready.runId })
    expect(lines.filter((l) => l.type === 'batch.issued')).toHaveLength(8)
    expect(lines.filter((l) => l.type === 'run.completed')).toHaveLength(1)
    expect(summary.credited).toBeGreaterThan(0)
    expect(summary.transfersSucceeded).toBe(summary.credited)

    const startedAt = Date.now()
    const rerun = runHeadless([...FULL_RUN, '--state-dir', stateDir])
    const rerunExit = await rerun.waitForExit(30_000)
    const rerunMs = Date.now() - startedAt
    expect(rerunExit, rerun.describe()).toEqual({ code: 0, signal: null })
    const again = expectReadyAndSummary(rerun.json())
    expect(again.ready.runId).toBe(ready.runId)
    const issuing = ['run.started', 'batch.issuing', 'invoice.created', 'transfer.intent']
    expect(rerun.json().filter((l) => issuing.includes(l.type as string))).toEqual([])
    for (const key of TOTALS) expect(again.summary[key]).toBe(summary[key])
    expect(rerunMs).toBeLessThan(20_000)
  }, 200_000)

  it.each([
    [['--sandbox', '--private-key', 'key.pem'], '--sandbox needs --project-id and --private-key'],
    [['--speed', 'abc'], '--speed must be a number'],
    [['--batches', '0'], '--batches must be a whole number of at least 1'],
    [['--sandbox', '--emulator-url', 'http://127.0.0.1:1'], 'choose either --sandbox or'],
    [['--no-such-option'], "Unknown option '--no-such-option'"]
  ])('When the usage is wrong (%j), Then it exits 2 and says what to do', async (args, message) => {
    const child = runHeadless([...args, '--state-dir', join(dir, 'state')])
    const exit = await child.waitForExit(20_000)
    expect(exit.code, child.describe()).toBe(2)
    expect(child.stderr).toContain(message)
    expect(child.stderr).toContain('Usage: npm run headless -- [options]')
  })

  it('When --help is given, Then it prints the usage and exits 0', async () => {
    const child = new CliProcess('src/cli/headless.ts', ['--help'])
    expect((await child.waitForExit(20_000)).code).toBe(0)
    expect(child.lines.join('\n')).toContain('--emulator-url URL')
  })

  const rsa = (): string =>
    generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString()
  const p256 = (): string =>
    generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .privateKey.export({ type: 'sec1', format: 'pem' })
      .toString()
  const notAKey = (): string => 'MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAv\n'

  it.each([
    ['an RSA key', rsa, /secp256k1/],
    ['a P-256 key', p256, /secp256k1/],
    ['a file that is not a PEM key', notAKey, /not a PEM private key/]
  ])(
    'When --sandbox is given %s, Then it exits non-zero with a clear message and never prints the key',
    async (_label, makeKey, message) => {
      const pem = makeKey()
      const keyFile = join(dir, 'key.pem')
      await writeFile(keyFile, pem, { mode: 0o600 })
      const child = runHeadless([
        ...['--sandbox', '--project-id', '123', '--private-key', keyFile],
        ...['--state-dir', join(dir, 'state'), '--json']
      ])
      const exit = await child.waitForExit(20_000)
      expect(exit.code, child.describe()).not.toBe(0)
      expect(exit.signal).toBeNull()
      expect(child.stderr).toMatch(message)
      const output = `${child.lines.join('\n')}\n${child.stderr}`
      const keyLines = pem
        .split('\n')
        .filter((line) => line.length > 0 && !line.startsWith('-----'))
      expect(keyLines.length).toBeGreaterThan(0)
      for (const line of keyLines) expect(output).not.toContain(line)
      expect(output).not.toContain('PRIVATE KEY')
    }
  )
})
