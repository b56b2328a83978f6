/**
 * `npm run headless -- [options]`: the same engine as the desktop app, without a window. It prints
 * live lines (or JSON lines), and when the run completes it prints a summary and exits 0 only if the
 * run's invariants hold at Stark.
 */
import { readFile, mkdir } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { JournalEntry } from '../shared/journal'
import { createSimulator, type Simulator } from '../main/engine/simulator'
import { connectTarget, type TargetChoice } from '../main/stark/targets'
import { formatBRL } from '../shared/money'
import { describeEntry } from '../shared/describe'
import { BUILT_RENDERER_DIR, startHeadlessDashboard } from '../main/web/headless-dashboard'
import { requireBuiltRenderer } from '../main/web/dashboard'
import { parseHeadlessOptions, UsageError, USAGE, type HeadlessOptions } from './headless-options'

const realTime = (): number => Date.now()

function out(json: boolean, line: Record<string, unknown> & { type: string }, human: string): void {
  process.stdout.write(json ? `${JSON.stringify(line)}\n` : `${human}\n`)
}

async function choose(options: HeadlessOptions, stateDir: string): Promise<TargetChoice> {
  if (options.target === 'sandbox') {
    let privateKeyPem: string
    try {
      privateKeyPem = await readFile(options.privateKeyFile as string, 'utf8')
    } catch (error) {
      throw new UsageError(
        `cannot read --private-key ${options.privateKeyFile}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`
      )
    }
    return { kind: 'sandbox', projectId: options.projectId as string, privateKeyPem }
  }
  if (options.target === 'external')
    return { kind: 'external', url: options.emulatorUrl as string, speed: options.speed, stateDir }
  return {
    kind: 'embedded',
    speed: options.speed ?? 1,
    stateDir,
    seed: options.seed,
    deferClock: true
  }
}

async function summarize(sim: Simulator, json: boolean, last: () => void): Promise<boolean> {
  await sim.idle()
  const report = await sim.verify()
  const { totals, batches } = sim.snapshot()
  const planned = batches.filter((b) => b.key.startsWith('b')).length
  last()
  out(
    json,
    {
      type: 'summary',
      ok: report.ok,
      problems: report.problems,
      batches: planned,
      ...totals,
      checkedAtStark: report.checked
    },
    [
      `Summary: ${report.ok ? 'all invariants hold' : 'INVARIANTS BROKEN'}`,
      `  batches ${planned}, invoices ${totals.invoices} (${formatBRL(totals.invoicedAmount)}), paid ${totals.paid}, unpaid ${totals.invoices - totals.paid}`,
      `  credited ${totals.credited} (${formatBRL(totals.creditedAmount)}), fees ${formatBRL(totals.fees)}`,
      `  transfers sent ${totals.transfersSent}, succeeded ${totals.transfersSucceeded} (${formatBRL(totals.transferredAmount)}), failed ${totals.transfersFailed}, pending ${totals.transfersPending}, skipped ${totals.skipped}`,
      ...report.problems.map((p) => `  problem: ${p}`)
    ].join('\n')
  )
  return report.ok
}

async function main(): Promise<number> {
  const options = parseHeadlessOptions(process.argv.slice(2))
  if (options.help) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  if (options.ui) requireBuiltRenderer(BUILT_RENDERER_DIR)
  const stateDir = resolve(options.stateDir)
  await mkdir(stateDir, { recursive: true, mode: 0o700 })
  const target = await connectTarget(await choose(options, stateDir), realTime, (line) =>
    process.stderr.write(`${line}\n`)
  )
  const sim = await createSimulator({
    clock: target.clock,
    stark: target.stark,
    stateDir,
    seed: options.seed,
    catchUpIntervalMs: options.catchUpMs,
    webhook: { port: options.webhookPort },
    logger: {
      info: (m) => process.stderr.write(`${m}\n`),
      warn: (m) => process.stderr.write(`warning: ${m}\n`),
      error: (m) => process.stderr.write(`error: ${m}\n`)
    }
  })

  let finish: (ok: boolean) => void = () => undefined
  const finished = new Promise<boolean>((r) => (finish = r))
  let summarizing = false
  // The summary is the last line: entries journaled after it (a periodic catch-up) stay on disk only.
  let summarized = false
  const complete = (): void => {
    if (summarizing) return
    summarizing = true
    // With the dashboard, the engine outlives a run: the next one is started from the page.
    const done = options.ui
      ? (): void => void ((summarizing = false), (summarized = false))
      : finish
    // Without it, the summary describes Stark as the run left it: the emulator's story stops here
    // (at `max` it would otherwise race on through days of catch-up sweeps while the check reads it).
    if (target.emulator && !options.ui) target.clock.setSpeed(0)
    summarize(sim, options.json, () => (summarized = true)).then(done, (error: unknown) => {
      summarized = true
      process.stderr.write(`error: the final check against Stark failed: ${String(error)}\n`)
      done(false)
    })
  }
  // Entries appended before the ready line are held back so that `ready` is always the first line.
  let held: JournalEntry[] | undefined = []
  const print = (entry: JournalEntry): void => {
    if (summarized) return
    out(
      options.json,
      entry as unknown as Record<string, unknown> & { type: string },
      describeEntry(entry)
    )
    if (entry.type === 'run.completed') complete()
  }
  sim.subscribe({}, (entries) => {
    for (const entry of entries) {
      if (held) held.push(entry)
      else print(entry)
    }
  })

  const started = await sim.start()
  // Without a public URL the real sandbox cannot reach us: it is heard by catch-up polling.
  if (target.emulatorUrl) await sim.registerWebhook()
  if (!sim.snapshot().run && !options.ui) await sim.startRun(options.plan)
  // Stark's story starts now that the engine listens and its run is under way (at `max`, hours of
  // it would otherwise pass during the startup above).
  target.startClock()
  const dashboard = options.ui
    ? await startHeadlessDashboard({
        sim,
        target: { kind: options.target, projectId: options.projectId, ...target },
        stateDir,
        port: options.uiPort,
        log: (m) => process.stderr.write(`${m}\n`)
      })
    : undefined
  out(
    options.json,
    {
      type: 'ready',
      webhookUrl: started.webhookUrl,
      emulatorUrl: target.emulatorUrl ?? null,
      runId: sim.snapshot().run?.runId ?? null,
      stateDir,
      ui: dashboard?.url ?? null
    },
    `ready: ${dashboard ? `dashboard ${dashboard.url}, ` : ''}webhook ${started.webhookUrl}${target.emulatorUrl ? `, emulator ${target.emulatorUrl}` : ', real sandbox (no public URL: catching up by polling)'}, state in ${stateDir}`
  )
  for (const entry of held) print(entry)
  held = undefined
  if (sim.snapshot().run?.completed) complete()

  const signalled = new Promise<number>((r) => {
    process.once('SIGINT', () => r(130))
    process.once('SIGTERM', () => r(143))
  })
  const code = await Promise.race([finished.then((ok) => (ok ? 0 : 1)), signalled])
  await dashboard?.stop()
  await sim.stop()
  await target.stop()
  return code
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${USAGE}\n`)
      process.exit(2)
    }
    process.stderr.write(`headless: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  }
)
