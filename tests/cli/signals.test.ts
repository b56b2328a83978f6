/**
 * SIGTERM and SIGINT stop the CLI cleanly: it finishes its stop steps (journal flushed, servers
 * closed, folder unlocked), exits with 128 + the signal's number by itself (never killed by the
 * signal: a dependency's handler used to re-raise it), and says how to resume; the resumed run then
 * completes with every batch and transfer exactly once.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { exists } from '../../src/main/runtime/state-folder'
import { killAllChildren, runHeadless, type JsonLine } from '../helpers/cli-process'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ssim-cli-signals-'))
})
afterEach(async () => {
  await killAllChildren()
  await rm(dir, { recursive: true, force: true })
})

async function journalOf(stateDir: string): Promise<JsonLine[]> {
  const text = await readFile(join(stateDir, 'journal.ndjson'), 'utf8')
  expect(text.endsWith('\n')).toBe(true)
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as JsonLine)
}

describe('stop signals', () => {
  it('When SIGTERM reaches a busy run, Then it stops cleanly, says how to resume, and the resumed run completes exactly once', async () => {
    const stateDir = join(dir, 'state')
    const plan = ['--batches', '4', '--interval-minutes', '60', '--settle-minutes', '60']
    const first = runHeadless(['--speed', '1000', '--json', '--state-dir', stateDir, ...plan])
    // A transfer intent: the engine is mid-work (a transfer call in flight, the emulator writing).
    await first.waitForJson((l) => l.type === 'transfer.intent', 120_000, 'a transfer intent')
    first.kill('SIGTERM')
    const exit = await first.waitForExit(30_000)
    expect(exit, first.describe()).toEqual({ code: 143, signal: null })
    expect(first.stderr).toContain('stopping (SIGTERM)')
    const lines = first.json()
    const stopped = lines[lines.length - 1] as JsonLine
    const ready = lines[0] as JsonLine
    expect(stopped).toMatchObject({ type: 'stopped', signal: 'SIGTERM', runId: ready.runId })
    expect(stopped.resume).toBe(
      `npm run -s headless -- --speed 1000 --state-dir ${stateDir} --json`
    )
    expect(await exists(join(stateDir, 'state.lock'))).toBe(false)
    const before = await journalOf(stateDir)

    const resumeArgs = (stopped.resume as string).split(' ').slice(5)
    const second = runHeadless(resumeArgs)
    expect(await second.waitForExit(120_000), second.describe()).toEqual({ code: 0, signal: null })
    const again = second.json()
    expect(again[0]).toMatchObject({ type: 'ready', run: 'resumed', runId: ready.runId })
    expect(again[again.length - 1]).toMatchObject({
      type: 'summary',
      ok: true,
      invariantsHold: true,
      batches: 4
    })

    const journal = await journalOf(stateDir)
    expect(journal.slice(0, before.length)).toEqual(before)
    expect(journal.map((e) => e.seq)).toEqual(journal.map((_, i) => i + 1))
    const issued = journal.filter((e) => e.type === 'batch.issued').map((e) => e.batch)
    expect(issued).toEqual(['b0', 'b1', 'b2', 'b3'])
    const sent = journal.filter((e) => e.type === 'transfer.sent').map((e) => e.invoiceId)
    expect(new Set(sent).size).toBe(sent.length)
  }, 300_000)

  it('When SIGINT arrives while it is still starting, Then it stops cleanly with 130 and says nothing was lost', async () => {
    const stateDir = join(dir, 'state')
    const child = runHeadless(['--speed', '1000', '--state-dir', stateDir])
    // The lock appears once the runtime is starting.
    for (let i = 0; i < 600 && !child.exit; i++) {
      if (await exists(join(stateDir, 'state.lock'))) break
      await sleep(50)
    }
    expect(await stat(stateDir).then(() => true)).toBe(true)
    child.kill('SIGINT')
    const exit = await child.waitForExit(60_000)
    expect(exit, child.describe()).toEqual({ code: 130, signal: null })
    expect(child.lines.join('\n')).toMatch(/stopped \(SIGINT\)/)
    expect(child.lines.join('\n')).toContain(
      'Start again with: npm run -s headless -- --speed 1000'
    )
    expect(child.stderr).not.toMatch(/^\s+at /m)
    expect(await exists(join(stateDir, 'state.lock'))).toBe(false)
  }, 90_000)
})
