/** Command-line options of the headless CLI, parsed and checked before anything starts. */
import { parseArgs } from 'node:util'
import type { PlanInput } from '../shared/plan'
import type { ClockSpeed } from '../main/time/clock'
import { MAX_NUMERIC_SPEED, parseSpeed } from '../main/time/speed'

export const USAGE = `Usage: npm run headless -- [options]

Stark (default: the embedded emulator, no account or network needed):
  --emulator-url URL      use an emulator running elsewhere (npm run emulator)
  --sandbox               use the real Stark sandbox; needs --project-id and --private-key
  --project-id ID         your sandbox project id
  --private-key FILE      your project's private key (SEC1 PEM, secp256k1)
  --speed N|max           emulator seconds per real second (default 1; 1440 = a day per minute);
                          max: as fast as the work allows (embedded emulator only)

Run plan (defaults are the trial's):
  --batches N             number of batches (8)
  --interval-minutes N    minutes between batches (180)
  --min-invoices N        smallest batch (8)
  --max-invoices N        largest batch (12)
  --min-amount CENTS      smallest invoice amount in cents (1000)
  --max-amount CENTS      largest invoice amount in cents (100000)
  --due-minutes N         invoice due after issue (Stark's default: 2 days)
  --settle-minutes N      wait after the last batch for payments before reporting (120)

Other:
  --state-dir DIR         everything persistent; rerun with the same folder to resume (.ssim-state)
  --webhook-port P        local webhook port on 127.0.0.1 (0: any free port)
  --catch-up-minutes N    minutes of Stark time between catch-up sweeps (15; 1 with --sandbox)
  --seed N                seed for sizes, people and the embedded emulator's randomness
  --json                  one JSON object per line: ready, journal entries, summary
  --ui                    serve the browser dashboard on 127.0.0.1 and print its URL; runs are
                          started from the dashboard, and the engine keeps serving until stopped
  --ui-port P             the dashboard's port (default: any free port)
  --help                  this text`

export interface HeadlessOptions {
  target: 'embedded' | 'external' | 'sandbox'
  emulatorUrl?: string
  projectId?: string
  privateKeyFile?: string
  speed?: ClockSpeed
  plan: PlanInput
  stateDir: string
  webhookPort: number
  catchUpMs: number
  seed?: number
  json: boolean
  help: boolean
  ui: boolean
  uiPort?: number
}

export class UsageError extends Error {}

function num(
  name: string,
  raw: string | undefined,
  { integer = false, min = 0 } = {}
): number | undefined {
  if (raw === undefined) return undefined
  const value = Number(raw)
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new UsageError(
      `--${name} must be ${integer ? 'a whole number' : 'a number'} of at least ${min}, got "${raw}"`
    )
  }
  return value
}

function speedOption(raw: string | undefined, external: boolean): ClockSpeed | undefined {
  if (raw === undefined) return undefined
  const speed = parseSpeed(raw)
  if (speed === undefined) {
    throw new UsageError(
      `--speed must be a number of at least 0 (at most ${MAX_NUMERIC_SPEED}) or max, got "${raw}"`
    )
  }
  // Max holds Stark's time while this process works; an emulator in another process cannot wait.
  if (speed === 'max' && external)
    throw new UsageError(
      '--speed max needs the embedded emulator: drop --emulator-url, or give that emulator a number'
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
        'state-dir': { type: 'string', default: '.ssim-state' },
        'webhook-port': { type: 'string' },
        'catch-up-minutes': { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'boolean', default: false },
        ui: { type: 'boolean', default: false },
        'ui-port': { type: 'string' },
        help: { type: 'boolean', default: false }
      }
    }))
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  if (values.sandbox && values['emulator-url'])
    throw new UsageError('choose either --sandbox or --emulator-url, not both')
  if (values.sandbox && (!values['project-id'] || !values['private-key'])) {
    throw new UsageError(
      "--sandbox needs --project-id and --private-key (your sandbox project's id and key file)"
    )
  }
  if (values['ui-port'] !== undefined && !values.ui)
    throw new UsageError('--ui-port applies with --ui only')
  if (values.sandbox && values.speed)
    throw new UsageError('--speed applies to emulators only: the real sandbox runs in real time')
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
  return {
    target: values.sandbox ? 'sandbox' : values['emulator-url'] ? 'external' : 'embedded',
    emulatorUrl: values['emulator-url'],
    projectId: values['project-id'],
    privateKeyFile: values['private-key'],
    speed: speedOption(values.speed, Boolean(values['emulator-url'])),
    plan,
    stateDir: values['state-dir'] as string,
    webhookPort: num('webhook-port', values['webhook-port'], { integer: true, min: 0 }) ?? 0,
    // With no public URL the real sandbox is only heard by polling, so poll it often.
    catchUpMs: minutes('catch-up-minutes') ?? (values.sandbox ? 60_000 : 15 * 60_000),
    seed: num('seed', values.seed, { integer: true, min: 0 }),
    json: values.json as boolean,
    help: values.help as boolean,
    ui: values.ui as boolean,
    uiPort: num('ui-port', values['ui-port'], { integer: true, min: 0 })
  }
}
