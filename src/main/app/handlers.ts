/**
 * One thin handler per contract operation: given parsed arguments, call the runtime and say what
 * happened. The same table is served over Electron IPC, over the browser dashboard's socket, and
 * called directly by tests; none of it knows which.
 */
import { type Handlers, type Prefs, type Result } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import { environmentHandlers } from './environment-handlers'
import { exportRun } from './export-run'
import { guarded } from './failures'
import { invoiceChain } from './invoice-chain'
import type { EmulatorControls, HostDeps, LiveRuntime, StoredPrefs } from './ports'

const prefsView = ({ theme, plan, speed }: StoredPrefs): Prefs => ({
  theme,
  ...(plan ? { plan } : {}),
  ...(speed !== undefined ? { speed } : {})
})

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64')

export function createHandlers(deps: HostDeps): Handlers {
  const live = (): LiveRuntime => {
    const runtime = deps.live()
    if (runtime) return runtime
    const { phase, error } = deps.status()
    throw new AppError(
      'not_running',
      phase === 'failed' && error
        ? `The engine is not running: ${error.message}`
        : `The engine is ${phase}, not running. Wait until it has started, or restart the app.`
    )
  }
  const emulator = (): EmulatorControls => {
    const controls = live().emulator
    if (controls) return controls
    throw new AppError(
      'emulator_only',
      'Only the emulator can do this; the real sandbox moves at its own pace. Switch to the emulator to use it.'
    )
  }
  /** Every handler runs through `guarded`: an expected failure comes back as data. */
  const run = <T>(work: () => Promise<T> | T): Promise<Result<T>> => guarded(async () => work())

  return {
    'app:info': () => run(() => deps.info),
    // The transports bind this to their push session (see dispatch.ts); called directly, it only
    // says where the journal stands.
    'session:ready': () => run(() => ({ lastSeq: live().journal.lastSeq() })),
    'runtime:status': () => run(() => deps.status()),
    'snapshot:get': () => run(() => live().simulator.snapshot()),

    'run:start': ({ plan }) =>
      run(async () => {
        const started = await live().simulator.startRun(plan)
        if (plan) deps.prefs.write({ plan })
        return started
      }),
    'run:pause': () => run(() => live().simulator.pause()),
    'run:resume': () => run(() => live().simulator.resume()),
    'run:stop': ({ reason }) => run(() => live().simulator.stopRun(reason)),
    'run:next-batch': () => run(() => live().simulator.issueBatchNow()),
    'run:one-invoice': (args) => run(() => live().simulator.issueInvoice(args)),
    'run:export': () =>
      run(async () => {
        const { simulator, journal } = live()
        return deps.host.save(await exportRun(simulator.snapshot(), journal))
      }),

    'journal:entries': (query) => run(() => live().journal.entries(query)),
    'invoice:chain': ({ invoiceId }) =>
      run(() => {
        const { simulator, journal } = live()
        return invoiceChain(simulator, journal, invoiceId)
      }),
    'invoice:qrcode': ({ invoiceId, size }) =>
      run(async () => {
        const png = await live().documents.invoiceQrcode(invoiceId, size)
        return { dataUrl: `data:image/png;base64,${base64(png)}` }
      }),
    'invoice:pay-now': ({ invoiceId }) =>
      run(async () => {
        await emulator().payNow(invoiceId)
        return { invoiceId }
      }),
    'document:open': ({ kind, id }) =>
      run(async () => {
        const bytes = await live().documents.pdf(kind, id)
        return deps.host.open({ name: `${kind}-${id}.pdf`, mime: 'application/pdf', bytes })
      }),
    'event:replay': ({ eventId }) => run(() => live().simulator.replayEvent(eventId)),
    'transfer:retry': ({ invoiceId }) => run(() => live().simulator.retryTransfer(invoiceId)),

    'emulator:clock': (change) =>
      run(async () => {
        const view = await emulator().clock(change)
        if (change.speed !== undefined) deps.prefs.write({ speed: change.speed })
        return view
      }),
    'emulator:faults': (patch) => run(() => emulator().faults(patch)),

    ...environmentHandlers(deps),

    'prefs:get': () => run(() => prefsView(deps.prefs.read())),
    'prefs:set': (patch) => run(() => prefsView(deps.prefs.write(patch)))
  }
}
