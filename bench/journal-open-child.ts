/**
 * One measurement of journal-open.ts in a process of its own: `journal` opens the file as the engine
 * does (streamed, validated, folded); `baseline` reads it as the previous release did (the whole
 * file as one string, every line parsed and kept, then folded). Prints its figures as JSON.
 */
import { readFile } from 'node:fs/promises'
import { Journal } from '../src/main/engine/journal'
import { runIdOf } from '../src/main/engine/journal-run'
import { Projection } from '../src/main/engine/projection'
import { VirtualClock } from '../src/main/time/clock'
import type { JournalEntry } from '../src/shared/journal'

async function main(): Promise<void> {
  const [mode, file] = process.argv.slice(2) as ['journal' | 'baseline', string]
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined }
  const startRssBytes = process.memoryUsage().rss
  const started = performance.now()
  const projection = new Projection()
  let entries: number
  if (mode === 'journal') {
    const journal = await Journal.open(file, {
      clock: new VirtualClock({ start: 0, speed: 0 }),
      realTime: () => 0,
      logger: quiet,
      fold: (entry) => projection.apply(entry),
      runOf: (body) => runIdOf(body, projection)
    })
    entries = journal.opened.entries
    await journal.close()
  } else {
    const text = await readFile(file, 'utf8')
    const all: JournalEntry[] = []
    for (const line of text.split('\n')) if (line !== '') all.push(JSON.parse(line) as JournalEntry)
    for (const entry of all) projection.apply(entry)
    entries = all.length
  }
  const ms = performance.now() - started
  if (projection.lastSeq !== entries) throw new Error(`folded ${projection.lastSeq} of ${entries}`)
  const peakRssBytes = process.resourceUsage().maxRSS * 1024
  process.stdout.write(JSON.stringify({ entries, ms, peakRssBytes, startRssBytes }))
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
