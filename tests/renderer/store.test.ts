import { describe, expect, it } from 'vitest'
import { ok, type RuntimeStatus } from '../../src/shared/contract'
import { createAppStore } from '../../src/renderer/src/store/app-store'
import { controlOf } from '../../src/renderer/src/store/controls'
import { connectSession } from '../../src/renderer/src/store/session'
import { estimateStarkNow, wallUntil } from '../../src/renderer/src/store/stark-clock'
import { moneyTotals } from '../../src/renderer/src/features/totals/money-totals'
import { recordedEntries, recordedSummary, snapshotAfter } from './helpers/recorded'
import { runningStatus } from './helpers/status'
import { createTestHost } from './helpers/test-host'

const status = (speed: number | 'max' = 60): RuntimeStatus =>
  runningStatus({ clock: { now: 1_000_000, speed } })

function setup() {
  const host = createTestHost()
  let wall = 5_000
  const store = createAppStore(host.api, { wallNow: () => wall })
  return { host, store, tick: (ms: number) => (wall += ms) }
}

const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 0))

describe('the renderer store', () => {
  it('When a session starts after a reload, Then it asks for entries after the last seq it holds and drops replays', async () => {
    const { host, store } = setup()
    store.getState().appendEntries(recordedEntries.slice(0, 20))
    host.answer('session:ready', () => ok({ lastSeq: 40 }))
    host.answer('runtime:status', () => ok(status()))
    host.answer('snapshot:get', () => ok(snapshotAfter(recordedEntries.slice(0, 20))))
    host.answer('app:info', () => ok({ name: 'n', version: '1.2.3', host: 'dashboard' as const }))
    host.answer('prefs:get', () => ok({ theme: 'dark' as const }))
    host.answer('emulator:faults', () =>
      ok({
        duplicateDeliveries: 0.5,
        shuffleWindowMs: 0,
        dropDeliveries: 0,
        latencyMs: 0,
        apiErrorRate: 0
      })
    )
    connectSession(store, { wallNow: () => 0 })
    await flush()
    expect(host.calls.find((c) => c.name === 'session:ready')?.args).toEqual({
      afterSeq: recordedEntries[19]!.seq
    })
    host.push('journal', { entries: recordedEntries.slice(10, 40) })
    const state = store.getState()
    expect(state.journal.entries).toHaveLength(40)
    expect(new Set(state.journal.entries.map((e) => e.seq)).size).toBe(40)
    expect(state.connection.state).toBe('live')
    expect(state.prefs.theme).toBe('dark')
    expect(state.faults?.duplicateDeliveries).toBe(0.5)
  })

  it('When the host is unreachable, Then the header learns it with what to do', async () => {
    const { host, store } = setup()
    host.answer('app:info', () => Promise.reject(new Error('socket closed')))
    connectSession(store, { wallNow: () => 0 })
    await flush()
    expect(store.getState().connection).toEqual({
      state: 'lost',
      message: expect.stringMatching(/socket closed.*try again/),
      refused: false
    })
  })

  it('When an operation fails, Then its control shows the message and is no longer busy', async () => {
    const { host, store } = setup()
    host.answer('run:pause', () => ({
      ok: false,
      code: 'no_run',
      message: 'No run has been started. Start a run first.'
    }))
    const pending = store.getState().pauseRun()
    expect(controlOf(store.getState(), 'run:pause').busy).toBe(true)
    await pending
    expect(controlOf(store.getState(), 'run:pause')).toEqual({
      busy: false,
      error: 'No run has been started. Start a run first.',
      done: null
    })
  })

  it('When the transport itself throws, Then the control says the engine did not answer', async () => {
    const { host, store } = setup()
    host.answer('run:next-batch', () => {
      throw new Error('disconnected')
    })
    await store.getState().nextBatch()
    expect(controlOf(store.getState(), 'run:next-batch').error).toMatch(
      /did not answer \(disconnected\)/
    )
  })

  it('When a run starts, Then the plan is saved to the preferences for next time', async () => {
    const { host, store } = setup()
    host.answer('run:start', () => ok({ runId: 'abc', sizes: [8, 9] }))
    host.answer('prefs:set', (args) => ok({ theme: 'system' as const, ...(args as object) }))
    await store.getState().startRun({ batches: 2 })
    expect(host.calls.map((c) => c.name)).toEqual(['run:start', 'prefs:set'])
    expect(host.calls[1]!.args).toEqual({ plan: { batches: 2 } })
    expect(controlOf(store.getState(), 'run:start').done).toBe(
      'Run abc started: 2 batches, 17 invoices'
    )
  })

  it('When a one-click invoice has a name and amount, Then they go to the host as given', async () => {
    const { host, store } = setup()
    host.answer('run:one-invoice', () => ok({ invoiceId: '123' }))
    await store.getState().oneInvoice({ name: 'Ana', amount: 1_050 })
    expect(host.calls[0]).toEqual({ name: 'run:one-invoice', args: { name: 'Ana', amount: 1_050 } })
  })

  it('When chips and text change, Then the filter holds both and clears at once', () => {
    const { store } = setup()
    store.getState().toggleKind('events')
    store.getState().toggleKind('errors')
    store.getState().toggleKind('events')
    store.getState().setFilterText('abc')
    expect(store.getState().filter).toEqual({ kinds: ['errors'], text: 'abc' })
    store.getState().clearFilter()
    expect(store.getState().filter).toEqual({ kinds: [], text: '' })
  })
})

describe("Stark's clock between pushes", () => {
  it('When time passes at 60x, Then Stark time moves 60 times faster; at max it waits for pushes', () => {
    expect(estimateStarkNow({ stark: 1_000, wall: 0, speed: 60 }, 500)).toBe(31_000)
    expect(estimateStarkNow({ stark: 1_000, wall: 0, speed: 'max' }, 500)).toBe(1_000)
    expect(wallUntil(3_600_000, 0, 1440)).toBe(2_500)
    expect(wallUntil(10, 0, 'max')).toBeNull()
  })
})

describe('the totals row', () => {
  it("When a run completed, Then invoiced, credited, fees and transferred equal the CLI's summary", () => {
    const totals = moneyTotals(snapshotAfter(recordedEntries))
    expect(totals.invoiced).toEqual({
      cents: recordedSummary.invoicedAmount,
      count: recordedSummary.invoices
    })
    expect(totals.credited).toEqual({
      cents: recordedSummary.creditedAmount,
      count: recordedSummary.credited
    })
    expect(totals.fees.cents).toBe(recordedSummary.fees)
    expect(totals.transferred).toEqual({
      cents: recordedSummary.transferredAmount,
      count: recordedSummary.transfersSucceeded
    })
    expect(totals.paid.cents).toBeGreaterThanOrEqual(totals.credited.cents)
    expect(totals.pending.cents + totals.failed.cents).toBe(0)
  })

  it('When a transfer is still on its way, Then its amount counts as pending', () => {
    const sent = recordedEntries.findIndex((e) => e.type === 'transfer.sent')
    const totals = moneyTotals(snapshotAfter(recordedEntries.slice(0, sent + 1)))
    const intent = recordedEntries.slice(0, sent + 1).filter((e) => e.type === 'transfer.intent')
    expect(totals.pending.count).toBeGreaterThan(0)
    expect(totals.pending.cents).toBe(
      intent.reduce((sum, e) => sum + (e.type === 'transfer.intent' ? e.amount : 0), 0)
    )
  })
})

describe('fault toggles', () => {
  const none = {
    duplicateDeliveries: 0,
    shuffleWindowMs: 0,
    dropDeliveries: 0,
    latencyMs: 0,
    apiErrorRate: 0
  }

  it('When a toggle is flipped, Then it shows at once and keeps what the emulator answered', async () => {
    const { host, store } = setup()
    store.setState({ faults: none })
    let release!: () => void
    host.answer(
      'emulator:faults',
      (args) => new Promise((r) => (release = () => r(ok({ ...none, ...(args as object) }))))
    )
    const pending = store.getState().setFaults({ duplicateDeliveries: 0.5 })
    expect(store.getState().faults?.duplicateDeliveries).toBe(0.5)
    release()
    await pending
    expect(store.getState().faults).toEqual({ ...none, duplicateDeliveries: 0.5 })
  })

  it('When the emulator refuses, Then the toggle goes back and the reason is shown', async () => {
    const { host, store } = setup()
    store.setState({ faults: none })
    host.answer('emulator:faults', () => ({
      ok: false,
      code: 'emulator_only',
      message: 'Faults exist only in the emulator.'
    }))
    await store.getState().setFaults({ apiErrorRate: 0.2 })
    expect(store.getState().faults).toEqual(none)
    expect(controlOf(store.getState(), 'emulator:faults').error).toBe(
      'Faults exist only in the emulator.'
    )
  })
})
