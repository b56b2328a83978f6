/**
 * Restarting the engine on an env's folder, as a crash or a relaunch would: cut the journal where
 * the crash struck, then open a new engine on the same folder and Stark.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { expect } from 'vitest'
import { createSimulator, type Simulator } from '../../src/main/engine/simulator'
import type { StarkClient } from '../../src/main/stark/client'
import type { JournalEntry } from '../../src/shared/journal'
import type { EngineEnv } from './engine-env'

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined }

/** The test process's wall clock: the engine's `realTime` in tests (entries' `wall`). */
export const testWallTime = (): number => Date.now()

/** Keeps the journal up to (not including) the first entry that matches, as a crash would. */
export async function cutJournal(
  e: EngineEnv,
  at: (entry: JournalEntry) => boolean
): Promise<void> {
  const file = join(e.stateDir, 'journal.ndjson')
  const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '')
  const cut = lines.findIndex((l) => at(JSON.parse(l) as JournalEntry))
  expect(cut).toBeGreaterThan(0)
  await writeFile(file, lines.slice(0, cut).join('\n') + '\n')
}

/**
 * A new engine on the env's folder (it becomes `e.sim`), subscribed from its first entry; not
 * started, so that a test can drive what happens while start() is still going.
 */
export async function reopenEngine(
  e: EngineEnv,
  options: { stark?: StarkClient; catchUpIntervalMs?: number } = {}
): Promise<{ sim: Simulator; entries: JournalEntry[] }> {
  const entries: JournalEntry[] = []
  const sim = await createSimulator({
    clock: e.emulator.clock,
    stark: options.stark ?? e.stark,
    stateDir: e.stateDir,
    logger: quiet,
    seed: 1,
    catchUpIntervalMs: options.catchUpIntervalMs,
    realTime: testWallTime
  })
  sim.subscribe({}, (batch) => entries.push(...batch))
  e.sim = sim
  return { sim, entries }
}
