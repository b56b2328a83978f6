/** Command-line options of the headless CLI, parsed and checked before anything starts. */
import { parseArgs } from 'node:util'
import type { PlanInput } from '../shared/plan'
import type { ClockSpeed } from '../main/time/clock'
import { MAX_NUMERIC_SPEED, parseSpeed } from '../main/time/speed'
import { checkMode } from '../main/tunnel/manager'

export const USAGE = `Usage: npm run -s headless -- [options]
(-s keeps npm's own banner out of the output, so that --json lines can be piped to jq or head)

Stark (default: the embedded emulator, no account or network needed):
  --emulator-url URL      use an emulator running elsewhere (npm run emulator)
  --sandbox               use the real Stark sandbox; needs --project-id and --private-key
  --project-id ID         your sandbox project id
  --private-key FILE      your project's private key (SEC1 PEM, secp256k1)
  --speed N|max           emulator seconds per real second (default 1; 1440 = a day per minute);
                          max: as fast as the work allows (embedded emulator only)

Public webhook URL (Stark delivers webhooks only to public https addresses):
  --tunnel                open a localtunnel tunnel to the webhook server and keep it up: reopened
                          with backoff when it drops, the webhook re-registered when its URL changes;
                          with an emulator, the emulator delivers through it too
  --tunnel-host URL       the localtunnel server for --tunnel (default https://localtunnel.me; a
                          self-hosted localtunnel server works too)
  --public-url URL        your own public https URL that reaches the webhook port (ngrok, cloudflared,
                          a reverse proxy): checked and registered, no tunnel; use with --webhook-port

Run plan (defaults are the trial's):
  --batches N             number of batches (8)
  --interval-minutes N    minutes between batches (180)
  --min-invoices N        smallest batch (8)
  --max-invoices N        largest batch (12)
  --min-amount CENTS      smallest invoice amount in cents (1000)
  --max-amount CENTS      largest invoice amount in cents (100000)
  --due-minutes N         invoice due after issue (Stark's default: 2 days)
  --settle-minutes N      wait after the last batch for payments before reporting (120)

Runs and state:
  --state-dir DIR         this target's state folder (default: .ssim-state/<target>, one per target:
                          emulator, external-<host>-<port>, sandbox-<project id>); rerun with the
                          same folder to resume its run
  --new-run               start a new run even though the folder holds one (with plan flags: their plan)

Other:
  --webhook-port P        local webhook port on 127.0.0.1 (0: any free port)
  --catch-up-minutes N    minutes of Stark time between catch-up sweeps (15; 1 with --sandbox)
  --seed N                seed for sizes, people and the embedded emulator's randomness
  --json                  one JSON object per line: ready, journal entries, summary
  --ui                    serve the browser dashboard on 127.0.0.1 and print its URL; runs are
                          started from the dashboard, and the engine keeps serving until stopped
  --ui-port P             the dashboard's port (default: any free port)
  -h, --help              this text
  --version               the version`

export interface HeadlessOptions {
  target: 'embedded' | 'external' | 'sandbox'
  emulatorUrl?: string
  projectId?: string
  privateKeyFile?: string
  speed?: ClockSpeed
  plan: PlanInput
  /** The explicit state folder; undefined means the target's default folder. */
  stateDir?: string
  /** Plan flags were given (a folder that holds a run refuses them without --new-run). */
  planGiven: boolean
  newRun: boolean
  webhookPort: number
  catchUpMs: number
  seed?: number
  json: boolean
  help: boolean
  version: boolean
  ui: boolean
  uiPort?: number
  /** `--tunnel` (with its host, if given) or `--public-url`. */
  publicUrl?: { kind: 'localtunnel'; host?: string } | { kind: 'public-url'; url: string }
}

/** Bad usage: `flag` names the option concerned, so that only its line of the usage is shown. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly flag?: string
  ) {
    super(message)
  }
}

/** The usage line(s) describing `flag`, for a usage error about it. */
export function usageLineOf(flag: string | undefined): string | undefined {
  if (!flag) return undefined
  const lines = USAGE.split('\n')
  const at = lines.findIndex((l) => new RegExp(`^\\s+(-\\w, )?${flag}\\b`).test(l))
  if (at < 0) return undefined
  const out = [lines[at] as string]
  for (const next of lines.slice(at + 1)) {
    if (!/^\s{20,}\S/.test(next)) break
    out.push(next)
  }
  return out.join('\n')
}

function num(
  name: string,
  raw: string | undefined,
  { integer = false, min = 0 } = {}
): number | undefined {
  if (raw === undefined) return undefined
  const value = Number(raw)
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new UsageError(
      `--${name} must be ${integer ? 'a whole number' : 'a number'} of at least ${min}, got "${raw}"`,
      `--${name}`
    )
  }
  return value
}

function speedOption(raw: string | undefined, external: boolean): ClockSpeed | undefined {
  if (raw === undefined) return undefined
  const speed = parseSpeed(raw)
  if (speed === undefined) {
    throw new UsageError(
      `--speed must be a number of at least 0 (at most ${MAX_NUMERIC_SPEED}) or max, got "${raw}"`,
      '--speed'
    )
  }
  // Max holds Stark's time while this process works; an emulator in another process cannot wait.
  if (speed === 'max' && external)
    throw new UsageError(
      '--speed max needs the embedded emulator: drop --emulator-url, or give that emulator a number',
      '--speed'
    )
  return speed
}

export function parseHeadlessOptions(argv: string[]): HeadlessOptions {
  let values
  try {
    ;({ values } = parseArgs({
      args: argv,
      options: {
        'emulator-url': { type: 'string' },
        sandbox: { type: 'boolean', default: false },
        'project-id': { type: 'string' },
        'private-key': { type: 'string' },
        speed: { type: 'string' },
        batches: { type: 'string' },
        'interval-minutes': { type: 'string' },
        'min-invoices': { type: 'string' },
        'max-invoices': { type: 'string' },
        'min-amount': { type: 'string' },
        'max-amount': { type: 'string' },
        'due-minutes': { type: 'string' },
        'settle-minutes': { type: 'string' },
        'state-dir': { type: 'string' },
        'new-run': { type: 'boolean', default: false },
        'webhook-port': { type: 'string' },
        'catch-up-minutes': { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'boolean', default: false },
        ui: { type: 'boolean', default: false },
        'ui-port': { type: 'string' },
        tunnel: { type: 'boolean', default: false },
        'tunnel-host': { type: 'string' },
        'public-url': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', default: false }
      }
    }))
  } catch (error) {
    const message = (error as Error).message
    throw new UsageError(message, /'(--[\w-]+)/.exec(message)?.[1])
  }
  if (values.sandbox && values['emulator-url'])
    throw new UsageError('choose either --sandbox or --emulator-url, not both', '--sandbox')
  if (values.sandbox && (!values['project-id'] || !values['private-key'])) {
    throw new UsageError(
      "--sandbox needs --project-id and --private-key (your sandbox project's id and key file)",
      '--sandbox'
    )
  }
  const publicUrl = publicUrlOption(values)
  if (values['ui-port'] !== undefined && !values.ui)
    throw new UsageError('--ui-port applies with --ui only', '--ui-port')
  if (values.sandbox && values.speed)
    throw new UsageError(
      '--speed applies to emulators only: the real sandbox runs in real time',
      '--speed'
    )
  const minutes = (name: string): number | undefined => {
    const m = num(name, values[name as keyof typeof values] as string | undefined, { min: 0.001 })
    return m === undefined ? undefined : Math.round(m * 60_000)
  }
  const plan: PlanInput = {
    batches: num('batches', values.batches, { integer: true, min: 1 }),
    intervalMs: minutes('interval-minutes'),
    minInvoices: num('min-invoices', values['min-invoices'], { integer: true, min: 1 }),
    maxInvoices: num('max-invoices', values['max-invoices'], { integer: true, min: 1 }),
    minAmount: num('min-amount', values['min-amount'], { integer: true, min: 1 }),
    maxAmount: num('max-amount', values['max-amount'], { integer: true, min: 1 }),
    dueMs: minutes('due-minutes'),
    settleMs: values['settle-minutes'] === '0' ? 0 : minutes('settle-minutes')
  }
  for (const key of Object.keys(plan) as (keyof PlanInput)[])
    if (plan[key] === undefined) delete plan[key]
  if (values['state-dir'] === '') throw new UsageError('--state-dir needs a folder', '--state-dir')
  return {
    target: values.sandbox ? 'sandbox' : values['emulator-url'] ? 'external' : 'embedded',
    emulatorUrl: values['emulator-url'],
    projectId: values['project-id'],
    privateKeyFile: values['private-key'],
    speed: speedOption(values.speed, Boolean(values['emulator-url'])),
    plan,
    stateDir: values['state-dir'],
    planGiven: Object.keys(plan).length > 0,
    newRun: values['new-run'] as boolean,
    webhookPort: num('webhook-port', values['webhook-port'], { integer: true, min: 0 }) ?? 0,
    // With no public URL the real sandbox is only heard by polling, so poll it often.
    catchUpMs: minutes('catch-up-minutes') ?? (values.sandbox ? 60_000 : 15 * 60_000),
    seed: num('seed', values.seed, { integer: true, min: 0 }),
    json: values.json as boolean,
    help: values.help as boolean,
    version: values.version as boolean,
    ui: values.ui as boolean,
    uiPort: num('ui-port', values['ui-port'], { integer: true, min: 0 }),
    ...(publicUrl ? { publicUrl } : {})
  }
}

function publicUrlOption(values: {
  tunnel?: boolean
  'tunnel-host'?: string
  'public-url'?: string
}): HeadlessOptions['publicUrl'] {
  const host = values['tunnel-host']
  const own = values['public-url']
  if (host !== undefined && !values.tunnel)
    throw new UsageError('--tunnel-host applies with --tunnel only', '--tunnel-host')
  if (values.tunnel && own !== undefined)
    throw new UsageError(
      'choose either --tunnel or --public-url (your own tunnel or proxy), not both',
      '--public-url'
    )
  const mode = values.tunnel
    ? { kind: 'localtunnel' as const, ...(host !== undefined ? { host } : {}) }
    : own !== undefined
      ? { kind: 'public-url' as const, url: own }
      : undefined
  if (!mode) return undefined
  try {
    // The tunnel manager's own rule, applied before anything starts.
    checkMode(mode)
  } catch (error) {
    throw new UsageError(
      (error as Error).message,
      mode.kind === 'localtunnel' ? '--tunnel-host' : '--public-url'
    )
  }
  return mode
}
