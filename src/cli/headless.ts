/**
 * `npm run -s headless -- [options]`: the trial without a window, a thin front end on the runtime
 * (the same one the desktop app drives). It says whether it starts a new run or resumes one, prints
 * live lines (or JSON lines), and when the run completes a summary; it exits 0 only if the run's
 * invariants hold at Stark and the trial did its job. SIGINT/SIGTERM stop it cleanly and it says how
 * to resume; a closed pipe (`| head`) stops it quietly.
 */
// First: stop signals are ours before any dependency installs its own handlers (see the module).
import { onStopSignal, SIGNAL_EXIT_CODES, type StopSignal } from './stop-signals'
import packageJson from '../../package.json'
import { createRuntime, type Runtime } from '../main/runtime/runtime'
import { BUILT_RENDERER_DIR, startHeadlessDashboard } from '../main/web/headless-dashboard'
import { requireBuiltRenderer } from '../main/web/dashboard'
import { dirname, resolve } from 'node:path'
import { DEFAULT_BASE_DIR } from '../main/runtime/state-folder'
import { userInstallationId } from '../main/secrets/installation-id'
import { readKeyFile } from '../main/stark/keys'
import type { TargetChoice } from '../main/stark/targets'
import { APP_NAME } from '../shared/app-info'
import { describeEntry } from '../shared/describe'
import { AppError, isAppError } from '../shared/errors'
import type { PublicUrlStatus } from '../shared/contract'
import type { JournalEntry } from '../shared/journal'
import {
  parseHeadlessOptions,
  usageLineOf,
  UsageError,
  USAGE,
  type HeadlessOptions
} from './headless-options'
import { Output, type Line } from './headless-output'
import { summarize } from './headless-summary'

const realTime = (): number => Date.now()
/** A reader that closed our stdout (`| head`): like SIGPIPE. */
const READER_GONE_CODE = 141

async function targetOf(options: HeadlessOptions): Promise<TargetChoice> {
  if (options.target === 'external')
    return { kind: 'external', url: options.emulatorUrl as string, speed: options.speed }
  if (options.target === 'embedded')
    return { kind: 'embedded', speed: options.speed ?? 1, seed: options.seed, deferClock: true }
  // Validated here, so that a wrong file is refused before anything starts (never quoting it).
  const key = await readKeyFile(options.privateKeyFile as string)
  return { kind: 'sandbox', projectId: options.projectId as string, privateKeyPem: key.sec1Pem }
}

const quote = (arg: string): string =>
  /^[\w./:@=,+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`

/** The command that resumes this folder's run: the same Stark and folder, no plan flags. */
function resumeCommand(options: HeadlessOptions, stateDir: string): string {
  const args: string[] = []
  if (options.target === 'external') args.push('--emulator-url', options.emulatorUrl as string)
  if (options.target === 'sandbox')
    args.push(
      ...['--sandbox', '--project-id', options.projectId as string],
      ...['--private-key', options.privateKeyFile as string]
    )
  if (options.publicUrl?.kind === 'localtunnel') {
    args.push('--tunnel')
    if (options.publicUrl.host) args.push('--tunnel-host', options.publicUrl.host)
  }
  if (options.publicUrl?.kind === 'public-url') args.push('--public-url', options.publicUrl.url)
  if (options.webhookPort !== 0 && options.publicUrl?.kind === 'public-url')
    args.push('--webhook-port', String(options.webhookPort))
  if (options.speed !== undefined) args.push('--speed', String(options.speed))
  if (options.stateDir !== undefined) args.push('--state-dir', stateDir)
  if (options.json) args.push('--json')
  if (options.ui) args.push('--ui')
  if (options.ui && options.uiPort) args.push('--ui-port', String(options.uiPort))
  return args.length === 0
    ? 'npm run -s headless'
    : `npm run -s headless --${args.map((a) => ` ${quote(a)}`).join('')}`
}

type Ending =
  | { kind: 'summary'; ok: boolean }
  | { kind: 'signal'; signal: StopSignal }
  | { kind: 'reader-gone' }
  | { kind: 'failed'; error: AppError }

async function main(): Promise<number> {
  const options = parseHeadlessOptions(process.argv.slice(2))
  if (options.help) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  if (options.version) {
    process.stdout.write(`${APP_NAME} ${packageJson.version}\n`)
    return 0
  }

  if (options.ui) requireBuiltRenderer(BUILT_RENDERER_DIR)

  let end: (ending: Ending) => void = () => undefined
  const ended = new Promise<Ending>((resolve) => (end = resolve))
  let ending: Ending | undefined
  const finish = (next: Ending): void => {
    ending ??= next
    end(ending)
  }
  const out = new Output(options.json, () => finish({ kind: 'reader-gone' }))
  let forced = false
  onStopSignal((signal) => {
    if (ending?.kind === 'signal' || forced) {
      forced = true
      out.note(`${signal} again: exiting now. The journal is durable: rerun to resume.`)
      process.exit(SIGNAL_EXIT_CODES[signal])
    }
    out.note(
      `stopping (${signal}): finishing in-flight work, flushing the journal, closing servers…`
    )
    finish({ kind: 'signal', signal })
  })

  const target = await targetOf(options)
  let held: JournalEntry[] | undefined = []
  let summarized = false
  let summarizing = false
  const print = (entry: JournalEntry): void => {
    if (summarized) return
    out.write(entry as unknown as Line, describeEntry(entry))
    if (entry.type === 'run.completed') void complete()
  }
  const runtimeOptions = {
    catchUpIntervalMs: options.catchUpMs,
    seed: options.seed,
    webhook: { port: options.webhookPort },
    realTime,
    logger: {
      info: (m: string) => out.note(m),
      warn: (m: string) => out.note(`warning: ${m}`),
      error: (m: string) => out.note(`error: ${m}`)
    }
  }
  const runtime: Runtime = createRuntime({
    ...runtimeOptions,
    target,
    stateDir: options.stateDir,
    ...(options.publicUrl?.kind === 'localtunnel'
      ? { tunnel: { host: options.publicUrl.host } }
      : options.publicUrl?.kind === 'public-url'
        ? { publicUrl: options.publicUrl.url }
        : {}),
    // Tags the public webhook so that a folder that lost its secret still finds and deletes it.
    ...(options.publicUrl ? { webhookOwner: { installationId: userInstallationId() } } : {}),
    // Entries written while starting are held back so that `ready` is always the first line.
    onSimulator: (sim) =>
      sim.subscribe({}, (entries) => {
        for (const entry of entries) {
          if (held) held.push(entry)
          else print(entry)
        }
      })
  })
  runtime.onChange((status) => {
    if (status.phase === 'failed' && status.error)
      finish({ kind: 'failed', error: new AppError(status.error.code, status.error.message) })
  })

  async function complete(): Promise<void> {
    if (summarizing) return
    summarizing = true
    try {
      // The summary describes Stark as the run left it: the emulator's story stops here (at `max` it
      // would otherwise race on through days of catch-up sweeps, and idle() would never come).
      if (runtime.target.kind === 'embedded' && !options.ui) runtime.clock?.setSpeed(0)
      await runtime.simulator.idle()
      const summary = summarize(runtime.simulator.snapshot(), await runtime.verify())
      // The summary is the last line: entries journaled after it (a periodic catch-up) stay on disk.
      summarized = true
      out.write(summary.line, summary.human)
      // With the dashboard, the engine outlives a run: the next one is started from the page.
      if (options.ui) summarizing = summarized = false
      else finish({ kind: 'summary', ok: summary.ok })
    } catch (error) {
      summarized = true
      finish({ kind: 'failed', error: asAppError(error, 'the final check against Stark') })
    }
  }

  const startup = await Promise.race([runtime.start().then(() => undefined), ended.then((e) => e)])
  if (startup) {
    await runtime.stop()
    return closing(startup, null, runtime, options, out)
  }

  const sim = runtime.simulator
  const existing = sim.snapshot().run
  if (existing && options.planGiven && !options.newRun) {
    await runtime.stop()
    throw new UsageError(
      `${runtime.stateDir} already holds run ${existing.runId} (${existing.batchesIssued} of ${existing.sizes.length} batches issued${existing.completed ? ', complete' : existing.stopped ? ', stopped' : ''}): run again without plan flags to resume it, or add --new-run to start a new run with this plan.`,
      '--new-run'
    )
  }
  let fresh = !existing && !options.ui
  if (existing && options.newRun) {
    if (!existing.stopped && !existing.completed)
      await sim.stopRun('replaced by a new run (--new-run)')
    fresh = true
  }
  if (fresh) await sim.startRun(options.plan)
  let dashboard: Awaited<ReturnType<typeof startHeadlessDashboard>> | undefined
  try {
    dashboard = options.ui
      ? await startHeadlessDashboard({
          runtime,
          speed: options.speed ?? 1,
          port: options.uiPort,
          log: (m) => out.note(m),
          // The environment the page switches to runs in this process too, and prints here.
          createRuntime: (switched) =>
            createRuntime({
              ...runtimeOptions,
              ...switched,
              onSimulator: (other) => other.subscribe({}, (entries) => entries.forEach(print))
            }),
          baseDir: options.stateDir ? dirname(resolve(options.stateDir)) : DEFAULT_BASE_DIR,
          ...(target.kind === 'sandbox'
            ? {
                credentials: { projectId: target.projectId, privateKeyPem: target.privateKeyPem }
              }
            : { emulatorTarget: target }),
          publicUrl: options.publicUrl
            ? options.publicUrl.kind === 'localtunnel'
              ? {
                  mode: 'localtunnel',
                  ...(options.publicUrl.host ? { host: options.publicUrl.host } : {})
                }
              : { mode: 'public-url', url: options.publicUrl.url }
            : { mode: 'off' }
        })
      : undefined
  } catch (error) {
    await runtime.stop()
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error
    throw new AppError(
      'invalid_args',
      `The dashboard port ${options.uiPort} on 127.0.0.1 ${code === 'EADDRINUSE' ? 'is already in use by another program' : 'may not be used by this user'}. Choose another --ui-port, or leave it out for any free port.`
    )
  }
  if (existing && !fresh && options.seed !== undefined)
    out.note(
      `note: --seed shapes new runs only; run ${existing.runId} resumes as it was (add --new-run to start one with this seed)`
    )

  const snapshot = sim.snapshot()
  const run = snapshot.run
  const publicUrl = runtime.status().publicUrl ?? null
  const issued = run?.batchesIssued ?? 0
  const planned = run?.sizes.length ?? 0
  out.write(
    {
      type: 'ready',
      webhookUrl: runtime.webhookUrl,
      emulatorUrl: runtime.target.emulatorUrl,
      target: runtime.target.label,
      runId: run?.runId ?? null,
      run: run ? (fresh ? 'new' : 'resumed') : null,
      batchesIssued: issued,
      batches: planned,
      stateDir: runtime.stateDir,
      ui: dashboard?.url ?? null,
      publicUrl
    },
    [
      `ready: ${dashboard ? `dashboard ${dashboard.url}, ` : ''}webhook ${runtime.webhookUrl}${publicUrlText(publicUrl)}${runtime.target.emulatorUrl ? `, emulator ${runtime.target.emulatorUrl}` : publicUrl ? ', real sandbox' : ', real sandbox (no public URL: catching up by polling)'}, state in ${runtime.stateDir}`,
      !run
        ? 'no run yet: start one from the dashboard'
        : fresh
          ? `starting a new run ${run.runId}${existing ? ` (run ${existing.runId} stays in the journal)` : ''}: ${planned} batches`
          : run.completed
            ? `run ${run.runId} is already complete (${issued} of ${planned} batches issued${run.stopped ? ', stopped early' : ''}): its summary follows. Add --new-run to start another.`
            : `resuming run ${run.runId}: ${issued} of ${planned} batches issued`
    ].join('\n')
  )
  for (const entry of held ?? []) print(entry)
  held = undefined
  // Stark's story starts now that the engine listens and its run is under way (at `max`, hours of
  // it would otherwise pass during the startup above). With the dashboard, its speed hold decides:
  // at max, time stands still until a run is active.
  if (!dashboard && !run?.completed) runtime.startClock()
  if (run?.completed) void complete()

  const result = await ended
  const last = sim.snapshot().run
  await dashboard?.stop()
  await runtime.stop()
  // The closing line is the last one: entries the journal hands over later are on disk already.
  summarized = true
  return closing(result, last, runtime, options, out)
}

/** Says how it ended (and how to resume), and gives the exit code. */
function closing(
  ending: Ending,
  run: { runId: string; batchesIssued: number; sizes: number[]; completed: boolean } | null,
  runtime: Runtime,
  options: HeadlessOptions,
  out: Output
): number {
  if (ending.kind === 'summary') return ending.ok ? 0 : 1
  if (ending.kind === 'reader-gone') return READER_GONE_CODE
  if (ending.kind === 'failed') {
    out.note(`error: ${ending.error.message}`)
    return 1
  }
  const command = resumeCommand(options, runtime.stateDir)
  const where = run
    ? `run ${run.runId} is saved in ${runtime.stateDir} (${run.batchesIssued} of ${run.sizes.length} batches issued)`
    : `nothing was started in ${runtime.stateDir}`
  // What to type next: resume a run, or start again when nothing was started.
  const next = !run
    ? `Start again with: ${command}`
    : run.completed
      ? 'It is complete; add --new-run to start another.'
      : `Resume with: ${command}`
  out.write(
    {
      type: 'stopped',
      signal: ending.signal,
      runId: run?.runId ?? null,
      stateDir: runtime.stateDir,
      resume: command
    },
    `stopped (${ending.signal}): ${where}.\n${next}`
  )
  if (options.json) out.note(`stopped (${ending.signal}): ${where}. ${next}`)
  return SIGNAL_EXIT_CODES[ending.signal]
}

/** The public URL's part of the ready line: where Stark delivers, or why it cannot yet. */
function publicUrlText(status: PublicUrlStatus | null): string {
  if (!status) return ''
  const what = status.mode === 'localtunnel' ? 'tunnel' : 'public URL'
  if (status.state === 'up')
    return `, ${what} ${status.url}${status.webhook?.state === 'failed' ? ` (webhook not registered yet: ${status.webhook.reason})` : ''}`
  if (status.state === 'down')
    return `, ${what} down (${status.reason}${status.nextTryAt ? ` Next try at ${new Date(status.nextTryAt).toISOString().slice(11, 19)} UTC` : ''}; catching up by polling meanwhile)`
  return `, ${what} ${status.state}`
}

function asAppError(error: unknown, what: string): AppError {
  if (isAppError(error)) return error as AppError
  return new AppError(
    'unavailable',
    `${what} failed: ${error instanceof Error ? error.message : String(error)}`
  )
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      const line = usageLineOf(error.flag)
      process.stderr.write(
        `headless: ${error.message}\n${line ? `${line}\n` : ''}(npm run -s headless -- --help lists every option)\n`
      )
      process.exit(2)
    }
    if (isAppError(error)) {
      process.stderr.write(`error: ${(error as AppError).message}\n`)
      process.exit(1)
    }
    const detail =
      process.env.SSIM_DEBUG && error instanceof Error
        ? (error.stack ?? error.message)
        : `${error instanceof Error ? error.message : String(error)} (an unexpected failure: SSIM_DEBUG=1 shows where it happened)`
    process.stderr.write(`error: ${detail}\n`)
    process.exit(1)
  }
)
