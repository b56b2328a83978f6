/**
 * A switch changes the state folder: the window forgets the previous environment's log, snapshot,
 * selection and totals, and loads the new one's as at startup (the host replays its journal from
 * seq 0). A push already on its way from before the switch cannot jump ahead of that replay.
 */
import { describe, expect, it } from 'vitest'
import { ok, type RuntimeStatus } from '../../src/shared/contract'
import type { JournalEntry } from '../../src/shared/journal'
import { createAppStore } from '../../src/renderer/src/store/app-store'
import { connectSession } from '../../src/renderer/src/store/session'
import { moneyTotals } from '../../src/renderer/src/features/totals/money-totals'
import { emulatorView, memoryKeys } from './helpers/render-app'
import { recordedEntries, snapshotAfter } from './helpers/recorded'
import { runningStatus } from './helpers/status'
import { createTestHost } from './helpers/test-host'

const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 0))

const emulator = runningStatus({ stateDir: '/state/emulator' })
const sandbox: RuntimeStatus = runningStatus({
  environment: 'sandbox',
  stateDir: '/state/sandbox-5656',
  target: { kind: 'sandbox', label: 'Sandbox', emulatorUrl: null, projectId: '5656' }
})

/** The sandbox's own, shorter journal: the recorded run's first entries, another run id. */
const sandboxEntries: JournalEntry[] = recordedEntries
  .slice(0, 6)
  .map((e) => ({ ...e, runId: 'sandbox-run' }) as JournalEntry)

async function started() {
  const host = createTestHost()
  let snapshot = snapshotAfter(recordedEntries)
  host.answer('app:info', () => ok({ name: 'n', version: '1', host: 'dashboard' as const }))
  host.answer('runtime:status', () => ok(emulator))
  host.answer('snapshot:get', () => ok(snapshot))
  host.answer('prefs:get', () => ok({ theme: 'system' as const }))
  host.answer('session:ready', () => ok({ lastSeq: 0 }))
  host.answer('emulator:faults', () => ok(null as never))
  host.answer('keys:get', () => ok(memoryKeys()))
  host.answer('environment:get', () => ok(emulatorView()))
  const store = createAppStore(host.api, { wallNow: () => 0 })
  connectSession(store, { wallNow: () => 0 })
  await flush()
  host.push('journal', { entries: recordedEntries })
  const invoiceId = store
    .getState()
    .journal.entries.flatMap((e) => (e.type === 'invoice.created' ? [e.invoiceId] : []))[0]!
  store.getState().select({ invoiceId, seq: null })
  return {
    host,
    store,
    useSandboxSnapshot: () => (snapshot = snapshotAfter(sandboxEntries))
  }
}

describe('a switch to another state folder', () => {
  it('When the status names another folder, Then the old log, snapshot and selection go and the new journal is replayed from 0', async () => {
    const { host, store, useSandboxSnapshot } = await started()
    expect(store.getState().journal.entries).toHaveLength(recordedEntries.length)
    const oldTotals = moneyTotals(store.getState().snapshot)
    expect(oldTotals.invoiced.count).toBeGreaterThan(0)
    const oldBuffer = store.getState().journal
    useSandboxSnapshot()
    const readies = (): unknown[] =>
      host.calls.filter((c) => c.name === 'session:ready').map((c) => c.args)

    host.push('status', sandbox)
    expect(store.getState().journal).not.toBe(oldBuffer)
    expect(store.getState().journal.entries).toHaveLength(0)
    expect(store.getState().selection).toBeNull()
    expect(store.getState().snapshot).toBeNull()
    await flush()
    expect(readies()).toEqual([{ afterSeq: 0 }, { afterSeq: 0 }])
    host.push('journal', { entries: sandboxEntries })
    const state = store.getState()
    expect(state.journal.entries.map((e) => e.runId)).toEqual(
      sandboxEntries.map(() => 'sandbox-run')
    )
    expect(moneyTotals(state.snapshot)).toEqual(moneyTotals(snapshotAfter(sandboxEntries)))
    expect(moneyTotals(state.snapshot)).not.toEqual(oldTotals)
    expect(host.calls.filter((c) => c.name === 'environment:get').length).toBe(2)
  })

  it('When a push from before the switch arrives before the replay, Then it cannot leave a gap', async () => {
    const { host, store } = await started()
    let answerReady: () => void = () => undefined
    host.answer(
      'session:ready',
      () => new Promise((resolve) => (answerReady = () => resolve(ok({ lastSeq: 6 }))))
    )
    host.push('status', sandbox)
    // In flight before the host heard the new ready: the new journal's entries 4-6 only.
    host.push('journal', { entries: sandboxEntries.slice(3) })
    expect(store.getState().journal.entries).toHaveLength(0)
    answerReady()
    await flush()
    host.push('journal', { entries: sandboxEntries })
    expect(store.getState().journal.entries.map((e) => e.seq)).toEqual(
      sandboxEntries.map((e) => e.seq)
    )
  })

  it('When the status repeats the same folder, Then nothing is reloaded', async () => {
    const { host, store } = await started()
    const buffer = store.getState().journal
    host.push('status', { ...emulator, phase: 'running' })
    await flush()
    expect(store.getState().journal).toBe(buffer)
    expect(host.calls.filter((c) => c.name === 'session:ready')).toHaveLength(1)
  })

  it('When the engine restarts in the same folder, Then the page asks for what it wrote while starting, after the last entry it holds', async () => {
    const { host, store } = await started()
    const before = store.getState().journal
    const readies = (): unknown[] =>
      host.calls.filter((c) => c.name === 'session:ready').map((c) => c.args)
    host.push('status', { ...emulator, phase: 'stopping' })
    host.push('status', { ...emulator, phase: 'starting' })
    host.push('status', emulator)
    await flush()
    expect(store.getState().journal).toBe(before)
    expect(readies()).toEqual([{ afterSeq: 0 }, { afterSeq: before.lastSeq }])
    expect(store.getState().journal.entries).toHaveLength(recordedEntries.length)
  })
})
