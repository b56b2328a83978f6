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
import packageJson from '../../package.json'
import { CliProcess, killAllChildren, runHeadless, type JsonLine } from '../helpers/cli-process'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ssim-headless-cli-'))
})
afterEach(async () => {
  await killAllChildren()
  await rm(dir, { recursive: true, force: true })
})

const FULL_RUN = ['--speed', '20000', '--json', '--seed', '2']
const PLAN = ['--settle-minutes', '60']
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
  it('When a default run goes through the embedded emulator at high speed, Then it prints JSON lines from ready to an ok summary and exits 0; a rerun on the finished folder only reports; plan flags need --new-run there', async () => {
    const stateDir = join(dir, 'state')
    const first = runHeadless([...FULL_RUN, ...PLAN, '--state-dir', stateDir])
    const firstExit = await first.waitForExit(150_000)
    expect(firstExit, first.describe()).toEqual({ code: 0, signal: null })

    const lines = first.json()
    const { ready, summary } = expectReadyAndSummary(lines)
    expect(ready.webhookUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\S+$/)
    expect(ready.emulatorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(ready.runId).toMatch(/^[0-9a-f]+$/)
    expect(ready).toMatchObject({ run: 'new', batches: 8, stateDir })
    expect(summary).toMatchObject({ invariantsHold: true, trialDidItsJob: true, reasons: [] })
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
    expect(again.ready).toMatchObject({ run: 'resumed', batchesIssued: 8, batches: 8 })
    const issuing = ['run.started', 'batch.issuing', 'invoice.created', 'transfer.intent']
    expect(rerun.json().filter((l) => issuing.includes(l.type as string))).toEqual([])
    for (const key of TOTALS) expect(again.summary[key]).toBe(summary[key])
    expect(rerunMs).toBeLessThan(20_000)

    // At max, Stark's time must not race on behind a finished run: it reports and exits.
    const atMax = runHeadless(['--speed', 'max', '--json', '--state-dir', stateDir])
    expect(await atMax.waitForExit(30_000), atMax.describe()).toEqual({ code: 0, signal: null })
    const maxLines = atMax.json()
    expect(maxLines[maxLines.length - 1]).toMatchObject({ type: 'summary', runId: ready.runId })

    const refused = runHeadless([...FULL_RUN, '--batches', '2', '--state-dir', stateDir])
    expect((await refused.waitForExit(30_000)).code, refused.describe()).toBe(2)
    expect(refused.stderr).toContain(`already holds run ${ready.runId as string}`)
    expect(refused.stderr).toContain('--new-run')
    expect(refused.lines).toEqual([])

    // A slower clock: one batch has little time to be paid before the run ends.
    const fresh = runHeadless([
      ...['--speed', '2000', '--json', '--new-run', '--batches', '1', '--interval-minutes', '30'],
      ...['--settle-minutes', '120', '--state-dir', stateDir]
    ])
    expect(await fresh.waitForExit(60_000), fresh.describe()).toEqual({ code: 0, signal: null })
    const freshLines = fresh.json()
    expect(freshLines[0]).toMatchObject({ type: 'ready', run: 'new', batches: 1 })
    expect(freshLines[0]!.runId).not.toBe(ready.runId)
    expect(freshLines[freshLines.length - 1]).toMatchObject({
      type: 'summary',
      ok: true,
      runId: freshLines[0]!.runId,
      batches: 1
    })
  }, 240_000)

  it('When nothing gets paid before the run ends, Then the summary says the invariants hold but the trial did not do its job, and it exits 1', async () => {
    const child = runHeadless([
      ...['--json', '--speed', '1', '--batches', '1', '--min-invoices', '1'],
      ...['--max-invoices', '1', '--settle-minutes', '0', '--state-dir', join(dir, 'state')]
    ])
    expect((await child.waitForExit(60_000)).code, child.describe()).toBe(1)
    const lines = child.json()
    expect(lines[lines.length - 1]).toMatchObject({
      type: 'summary',
      ok: false,
      invariantsHold: true,
      trialDidItsJob: false,
      problems: [],
      paid: 0
    })
    expect((lines[lines.length - 1]!.reasons as string[])[0]).toMatch(
      /was paid before the run ended/
    )
  }, 60_000)

  it.each([
    [
      ['--sandbox', '--private-key', 'key.pem'],
      '--sandbox needs --project-id and --private-key',
      '--sandbox               use the real Stark sandbox'
    ],
    [['--speed', 'abc'], '--speed must be a number', '--speed N|max'],
    [['--batches', '0'], '--batches must be a whole number of at least 1', '--batches N '],
    [
      ['--sandbox', '--emulator-url', 'http://127.0.0.1:1'],
      'choose either --sandbox or',
      '--sandbox '
    ],
    [['--no-such-option'], "Unknown option '--no-such-option'", undefined]
  ])(
    'When the usage is wrong (%j), Then it prints that error and the one relevant usage line, and exits 2',
    async (args, message, usageLine) => {
      const child = runHeadless([...args, '--state-dir', join(dir, 'state')])
      const exit = await child.waitForExit(20_000)
      expect(exit.code, child.describe()).toBe(2)
      const lines = child.stderr.trim().split('\n')
      expect(lines[0]).toBe(`headless: ${lines[0]!.slice('headless: '.length)}`)
      expect(lines[0]).toContain(message)
      if (usageLine) expect(lines[1]).toContain(usageLine)
      expect(lines.length).toBeLessThanOrEqual(usageLine ? 4 : 2)
      expect(lines[lines.length - 1]).toBe('(npm run -s headless -- --help lists every option)')
      expect(child.stderr).not.toContain('Usage:')
      expect(child.stderr).not.toMatch(/^\s+at /m)
      expect(child.lines).toEqual([])
    }
  )

  it.each([['--help'], ['-h']])(
    'When %s is given, Then it prints the usage (saying why -s) and exits 0',
    async (flag) => {
      const child = new CliProcess('src/cli/headless.ts', [flag])
      expect((await child.waitForExit(20_000)).code).toBe(0)
      const text = child.lines.join('\n')
      expect(text).toContain('Usage: npm run -s headless -- [options]')
      expect(text).toContain('--emulator-url URL')
      expect(text).toContain('--new-run')
    }
  )

  it('When --version is given, Then it prints the name and version and exits 0', async () => {
    const child = new CliProcess('src/cli/headless.ts', ['--version'])
    expect((await child.waitForExit(20_000)).code).toBe(0)
    expect(child.lines).toEqual([`Stark Sandbox Simulator ${packageJson.version}`])
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
