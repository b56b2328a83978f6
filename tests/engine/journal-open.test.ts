/**
 * Opening a journal: the tail is repaired and the repair reported (findings item 4: a last line
 * that lost only its `\n` was accepted, the next append glued to it, and every later start refused
 * the file), every line is validated with its file and line named, and the previous release's
 * journals still open.
 */
import { appendFile, readFile, stat, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { isAppError } from '../../src/shared/errors'
import type { JournalEntry } from '../../src/shared/journal'
import { startEngineEnv, type EngineEnv } from '../helpers/engine-env'
import { invoiceCreated, journalKit, runStarted, type Kit } from '../helpers/journal-kit'

let kit: Kit | undefined
let env: EngineEnv | undefined
afterEach(async () => {
  await kit?.cleanup()
  await env?.cleanup()
  kit = undefined
  env = undefined
})

const lines = async (file: string): Promise<string[]> =>
  (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '')

/** A journal of three entries (run, two invoices), closed. */
async function threeEntries(k: Kit): Promise<JournalEntry[]> {
  const { journal } = await k.open()
  const written = [
    await journal.write(runStarted()),
    await journal.write(invoiceCreated(1)),
    await journal.write(invoiceCreated(2))
  ]
  await journal.close()
  return written
}

const FIXTURE = join(__dirname, '..', 'fixtures', 'journal-v1.ndjson')

describe('opening the journal', () => {
  it('When the last line was torn by a crash, Then open cuts it off and reports the repair', async () => {
    // Arrange
    kit = await journalKit()
    const written = await threeEntries(kit)
    const sound = (await stat(kit.file)).size
    await appendFile(kit.file, '{"v":2,"seq":4,"at":17675', 'utf8')

    // Act
    const { journal, projection } = await kit.open()

    // Assert: said, journaled, and the file holds the three entries then the repair note
    expect(journal.opened.repairs).toEqual([
      { kind: 'torn-line-cut', line: 4, offset: sound, bytes: 25 }
    ])
    expect(kit.warnings.join('\n')).toMatch(/cut off a torn last line 4 \(25 bytes/)
    const after = (await lines(kit.file)).map((l) => JSON.parse(l) as JournalEntry)
    expect(after.slice(0, 3)).toEqual(written)
    expect(after[3]).toMatchObject({ seq: 4, type: 'journal.repaired', runId: null })
    expect(projection.invoices.size).toBe(2)
  })

  it('When the last entry lost only its newline, Then open adds it, reports it, and the next append starts its own line', async () => {
    // Arrange
    kit = await journalKit()
    const written = await threeEntries(kit)
    await truncate(kit.file, (await stat(kit.file)).size - 1)

    // Act
    const first = await kit.open()
    await first.journal.write(invoiceCreated(3))
    await first.journal.close()
    const second = await kit.open()

    // Assert
    expect(first.journal.opened.repairs).toEqual([{ kind: 'newline-added', line: 3, seq: 3 }])
    expect(kit.warnings.join('\n')).toMatch(/added the missing newline/)
    expect(second.journal.opened.repairs).toEqual([])
    const after = (await lines(kit.file)).map((l) => JSON.parse(l) as JournalEntry)
    expect(after.map((e) => e.type)).toEqual([
      'run.started',
      'invoice.created',
      'invoice.created',
      'journal.repaired',
      'invoice.created'
    ])
    expect(after.slice(0, 3)).toEqual(written)
    expect([...second.projection.invoices.keys()]).toEqual(['inv-1', 'inv-2', 'inv-3'])
  })

  it('When the engine stopped with its last newline lost, Then it restarts, keeps recording, and restarts again', async () => {
    // Arrange: a run recorded, then the journal's final newline lost
    env = await startEngineEnv({ behaviour: { autoPayRatio: 0 } })
    const { runId } = await env.sim.startRun({ batches: 2, minInvoices: 1, maxInvoices: 1 })
    await env.sim.idle()
    await env.sim.stop()
    const file = join(env.stateDir, 'journal.ndjson')
    await truncate(file, (await stat(file)).size - 1)

    // Act: restart, record more (the stop), restart again
    await env.restart()
    await env.sim.stopRun('checking the repair')
    await env.restart()

    // Assert
    expect(env.sim.snapshot().run).toMatchObject({ runId, stopped: true })
    await env.sim.stop()
    for (const line of await lines(file)) expect(() => JSON.parse(line)).not.toThrow()
  })

  it('When a line in the middle is not a valid entry, Then open refuses the file naming the file and the line, and changes nothing', async () => {
    kit = await journalKit()
    await threeEntries(kit)
    const text = await readFile(kit.file, 'utf8')
    const [a, b, c] = text.split('\n')
    const cases: [string, RegExp][] = [
      [b!.replace('"amount":1001', '"amount":10.5'), /line 2 .*amount: .*int/],
      [
        b!.replace('invoice.created', 'invoice.made'),
        /line 2 .*unknown entry type "invoice\.made"/
      ],
      ['{"v":2,"seq":2', /line 2 .*not JSON/],
      ['null', /line 2 .*not a JSON object/],
      [b!.replace('"v":2', '"v":3'), /line 2 .*format version 3/],
      [a!, /line 2 .*seq 1 does not follow seq 1/]
    ]
    for (const [bad, message] of cases) {
      const damaged = [a, bad, c, ''].join('\n')
      await writeFile(kit.file, damaged)

      const error = await kit.open().then(
        () => undefined,
        (e: unknown) => e
      )

      expect(isAppError(error) && error.code).toBe('state_damaged')
      expect((error as Error).message).toContain(kit.file)
      expect((error as Error).message).toMatch(message)
      expect((error as Error).message).toMatch(/remove or fix that line with a text editor/)
      expect(await readFile(kit.file, 'utf8')).toBe(damaged)
    }
  })

  it('When the journal was written by the previous release, Then it opens, migrated: run ids by folding, wall time = Stark time, the original kept', async () => {
    // Arrange: a real journal of the previous release: run A credited one invoice, was stopped,
    // run B started, then run A's second invoice was credited and transferred, and a stranger
    // posted to the secret path
    env = await startEngineEnv({ register: false })
    await env.sim.stop()
    const file = join(env.stateDir, 'journal.ndjson')
    const original = await readFile(FIXTURE, 'utf8')
    await writeFile(file, original)
    const old = original
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { seq: number; at: number; type: string; runId?: string })
    const [runA, runB] = old.filter((e) => e.type === 'run.started').map((e) => e.runId)

    // Act
    await env.restart()

    // Assert: the state, the migration report, the kept original
    const sim = env.sim
    expect(sim.snapshot().run?.runId).toBe(runB)
    expect(sim.journalOpened.migrated?.entries).toBe(old.length)
    expect(await readFile(sim.journalOpened.migrated!.backup, 'utf8')).toBe(original)
    const { entries } = await sim.entries({ limit: 100 })
    const migrated = entries.filter((e) => e.type !== 'journal.repaired').reverse()
    expect(migrated.map((e) => e.seq)).toEqual(old.map((e) => e.seq))
    for (const [i, entry] of migrated.entries()) {
      expect(entry).toMatchObject({ v: 2, at: old[i]!.at, wall: old[i]!.at })
    }
    const runOf = (seq: number): string | null => migrated.find((e) => e.seq === seq)!.runId
    // Run A's own entries, then run B's start and its invoice's first event ...
    expect([1, 5, 12, 19, 20].map(runOf)).toEqual([runA, runA, runA, runA, runA])
    expect([21, 23, 25].map(runOf)).toEqual([runB, runB, runB])
    // ... run A's invoice credited and transferred during run B belongs to run A ...
    expect([26, 27, 28, 29, 30, 31, 32, 36].map(runOf)).toEqual(Array(8).fill(runA))
    // ... and the stranger's rejected delivery to no run.
    expect(runOf(37)).toBeNull()
    // The file is now in the current format: the next start has nothing to migrate.
    await env.restart()
    // (the migrated entries, the repair note, and whatever the engine recorded since it started)
    expect(env.sim.journalOpened.repairs).toEqual([])
    expect(env.sim.journalOpened.entries).toBeGreaterThan(old.length)
    expect(env.sim.journalOpened.migrated).toBeUndefined()
  })

  it('When two entries were glued on one line by the previous release, Then open separates them and says so', async () => {
    // Arrange: the fixture with its last newline lost before one more append, as that release did
    kit = await journalKit()
    const original = await readFile(FIXTURE, 'utf8')
    const glued = original.replace(/\n(\{"type":"webhook\.rejected")/, '$1')
    await writeFile(kit.file, glued)

    // Act
    const { journal, projection } = await kit.open()

    // Assert
    expect(journal.opened.repairs).toEqual([{ kind: 'glued-line-split', line: 36, entries: 2 }])
    expect(journal.opened.entries).toBe(37)
    expect(projection.lastSeq).toBe(38)
    const [last] = (await journal.entries({ limit: 1, filter: { kinds: ['rejected'] } })).entries
    expect(last).toMatchObject({ seq: 37, type: 'webhook.rejected', runId: null })
  })
})
