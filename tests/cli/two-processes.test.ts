/**
 * Two CLIs on one state folder: the second is refused naming the first's pid, and the first's run
 * completes with every batch and transfer exactly once (two processes used to issue batches twice,
 * write duplicate sequence numbers and never complete, both saying "all invariants hold").
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { killAllChildren, runEmulator, runHeadless, type JsonLine } from '../helpers/cli-process'
import { auditRunAtEmulator } from '../helpers/stark-audit'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ssim-cli-two-'))
})
afterEach(async () => {
  await killAllChildren()
  await rm(dir, { recursive: true, force: true })
})

describe('two processes on one folder', () => {
  it('When a second CLI starts on a folder in use, Then it is refused naming the first pid, and the first run completes with nothing doubled', async () => {
    const emulator = await runEmulator(['--port', '0', '--speed', '300', '--seed', '3'])
    const stateDir = join(dir, 'state')
    const args = [
      ...['--emulator-url', emulator.url, '--state-dir', stateDir, '--json', '--seed', '4'],
      ...['--batches', '3', '--interval-minutes', '30', '--settle-minutes', '60']
    ]
    const first = runHeadless(args)
    await first.waitForJson((l) => l.type === 'ready', 60_000, 'ready line')

    const second = runHeadless(args)
    const secondExit = await second.waitForExit(60_000)
    expect(first.exit, 'the first run ended before the second tried').toBeUndefined()
    expect(secondExit, second.describe()).toEqual({ code: 1, signal: null })
    expect(second.stderr).toContain(`is in use by process ${first.pid}`)
    expect(second.lines).toEqual([])

    expect(await first.waitForExit(120_000), first.describe()).toEqual({ code: 0, signal: null })
    const lines = first.json()
    const summary = lines[lines.length - 1] as JsonLine
    expect(summary).toMatchObject({ type: 'summary', ok: true, batches: 3 })

    const journal = (await readFile(join(stateDir, 'journal.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as JsonLine)
    const seqs = journal.map((e) => e.seq as number)
    expect(seqs).toEqual(seqs.map((_, i) => i + 1))
    const issued = journal.filter((e) => e.type === 'batch.issued').map((e) => e.batch)
    expect(issued).toEqual(['b0', 'b1', 'b2'])
    const started = journal.find((e) => e.type === 'run.started') as JsonLine
    const audit = await auditRunAtEmulator(
      emulator.url,
      started.runId as string,
      started.sizes as number[]
    )
    expect(audit.problems).toEqual([])
    expect(audit.credited).toBe(summary.credited)
  }, 240_000)
})
