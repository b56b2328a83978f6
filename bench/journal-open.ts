/**
 * Part 4: opening a 100,000-entry journal (issue 6, "Performance": under 1 s and under 150 MB),
 * next to the previous release's way in the same run: `readFile` of the whole file, `JSON.parse` of
 * every line, every entry kept in an array, then folded. Both fold into the real projection.
 *
 * Each measurement runs in a fresh plain-Node child process (journal-open-child.ts, bundled with
 * esbuild as the app's main process is bundled, so no TypeScript loader sits in its memory), so
 * that its peak memory (the kernel's maxRSS) is its own and not the bench's. The journal is written
 * through the real Journal: invoices going through their whole story (created, paid, credited,
 * transferred).
 */
import { spawn } from 'node:child_process'
import { build } from 'esbuild'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Journal } from '../src/main/engine/journal'
import { runIdOf } from '../src/main/engine/journal-run'
import { Projection } from '../src/main/engine/projection'
import { VirtualClock } from '../src/main/time/clock'
import type { JournalBody } from '../src/shared/journal'

export interface OpenFigures {
  entries: number
  ms: number
  /** Peak resident memory of the whole (plain Node) process. */
  peakRssBytes: number
  /** Resident memory just before opening: the peak above it is what opening cost. */
  startRssBytes: number
}

export interface JournalOpenFigures {
  entries: number
  fileBytes: number
  journal: OpenFigures
  /** The previous release's way, on the same file. */
  baseline: OpenFigures
}

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined }

/** One invoice's whole story, as the engine journals it. */
function story(i: number): JournalBody[] {
  const invoiceId = `${5_000_000_000_000_000 + i}`
  const transferId = `${6_000_000_000_000_000 + i}`
  const amount = 1_000 + ((i * 7919) % 99_000)
  const event = (logType: string, subscription = 'invoice'): JournalBody => ({
    type: 'event.received',
    eventId: `${4_000_000_000_000_000 + i * 16 + logType.length}`,
    source: 'webhook',
    subscription,
    logType,
    subjectId: subscription === 'invoice' ? invoiceId : transferId,
    verdict: 'valid',
    ...(logType === 'credited' ? { credit: { invoiceId, amount, fee: 50 } } : {})
  })
  const externalId = `ssim-${invoiceId}`
  return [
    {
      type: 'invoice.created',
      invoiceId,
      batch: 'b0',
      amount,
      name: `Pagador ${i}`,
      taxId: '012.345.678-90'
    },
    event('created'),
    event('paid'),
    event('credited'),
    { type: 'invoice.credited', invoiceId, amount, fee: 50, eventId: `${i}` },
    { type: 'transfer.intent', invoiceId, externalId, amount: amount - 50, attempt: 0 },
    { type: 'transfer.sent', invoiceId, externalId, transferId, recovered: false },
    event('created', 'transfer'),
    { type: 'transfer.status', transferId, invoiceId, status: 'created' },
    event('success', 'transfer'),
    { type: 'transfer.status', transferId, invoiceId, status: 'success' }
  ]
}

async function writeJournal(file: string, entries: number): Promise<void> {
  const projection = new Projection()
  const journal = await Journal.open(file, {
    clock: new VirtualClock({ start: Date.UTC(2026, 0, 5), speed: 0 }),
    realTime: () => Date.UTC(2026, 0, 5),
    logger: quiet,
    fold: (entry) => projection.apply(entry),
    runOf: (body) => runIdOf(body, projection)
  })
  const plan = {
    batches: 8,
    intervalMs: 10_800_000,
    minInvoices: 8,
    maxInvoices: 12,
    minAmount: 1_000,
    maxAmount: 100_000,
    settleMs: 7_200_000
  }
  journal.append({ type: 'run.started', runId: 'bench00001', plan, sizes: [8], startedAt: 0 })
  for (let i = 0; journal.lastSeq < entries; i++) {
    for (const body of story(i)) if (journal.lastSeq < entries) journal.append(body)
    if (i % 200 === 0) await journal.idle()
  }
  await journal.close()
}

function measureInChild(
  script: string,
  mode: 'journal' | 'baseline',
  file: string
): Promise<OpenFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, mode, file], {
      stdio: ['ignore', 'pipe', 'inherit']
    })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`journal-open child (${mode}) exited with ${code}`))
      else resolve(JSON.parse(out) as OpenFigures)
    })
  })
}

export async function measureJournalOpen(entries: number): Promise<JournalOpenFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'ssim-bench-journal-'))
  try {
    const file = join(dir, 'journal.ndjson')
    await writeJournal(file, entries)
    const script = join(dir, 'journal-open-child.cjs')
    await build({
      entryPoints: [join(__dirname, 'journal-open-child.ts')],
      outfile: script,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      logLevel: 'warning'
    })
    // Alternated, three of each: the fastest time (the machine is shared) and the highest peak.
    const runs: Record<'journal' | 'baseline', OpenFigures[]> = { journal: [], baseline: [] }
    for (let round = 0; round < 3; round++) {
      runs.baseline.push(await measureInChild(script, 'baseline', file))
      runs.journal.push(await measureInChild(script, 'journal', file))
    }
    const best = (list: OpenFigures[]): OpenFigures => ({
      ...list.reduce((a, b) => (b.ms < a.ms ? b : a)),
      peakRssBytes: Math.max(...list.map((r) => r.peakRssBytes))
    })
    return {
      entries,
      fileBytes: (await stat(file)).size,
      journal: best(runs.journal),
      baseline: best(runs.baseline)
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
