/**
 * The renderer's single zustand store (flux-style: one store, actions colocated, every change
 * through `set`). The host API is injected, so the same store runs on the Electron bridge, the
 * dashboard socket, and the unit tests' in-memory host.
 */
import { createStore, type StoreApi } from 'zustand/vanilla'
import type { EntryKind, RendererApi } from '../../../shared/contract'
import { deliver } from '../lib/deliver'
import { formatSpeed } from '../lib/format'
import { call } from './controls'
import { environmentSlice } from './environment-actions'
import { JournalBuffer } from './journal-buffer'
import type { AppState } from './types'

export type AppStore = StoreApi<AppState>

export interface StoreDeps {
  /** Wall-clock time, for the countdown between status pushes (injected for tests). */
  wallNow: () => number
}

export function createAppStore(api: RendererApi, deps: StoreDeps): AppStore {
  return createStore<AppState>()((set, get) => ({
    api,
    info: null,
    status: null,
    snapshot: null,
    clock: null,
    connection: { state: 'connecting', message: null },
    journal: new JournalBuffer(),
    journalVersion: 0,
    prefs: { theme: 'system' },
    faults: null,
    filter: { kinds: [], text: '' },
    followTail: true,
    tab: 'log',
    selection: null,
    controls: {},
    wallNow: deps.wallNow,
    ...environmentSlice(api, set, get),

    // --- Log and view ---

    appendEntries(entries) {
      const journal = get().journal
      if (journal.append(entries) > 0) set({ journalVersion: journal.version })
    },
    toggleKind(kind: EntryKind) {
      set((s) => {
        const kinds = s.filter.kinds.includes(kind)
          ? s.filter.kinds.filter((k) => k !== kind)
          : [...s.filter.kinds, kind]
        return { filter: { ...s.filter, kinds } }
      })
    },
    setFilterText(text) {
      set((s) => ({ filter: { ...s.filter, text } }))
    },
    clearFilter() {
      set({ filter: { kinds: [], text: '' } })
    },
    setFollowTail(followTail) {
      if (get().followTail !== followTail) set({ followTail })
    },
    setTab(tab) {
      set({ tab })
    },
    select(selection) {
      set({ selection })
    },

    // --- Run ---

    async startRun(plan) {
      const data = await call(
        set,
        'run:start',
        () => api.run.start({ plan }),
        (d) =>
          `Run ${d.runId} started: ${d.sizes.length} batches, ${d.sizes.reduce((a, b) => a + b, 0)} invoices`
      )
      // The form's values are kept for next time; a failure to save them is shown, not thrown.
      if (data) await call(set, 'prefs', () => api.prefs.set({ plan }))
    },
    async pauseRun() {
      await call(set, 'run:pause', () => api.run.pause())
    },
    async resumeRun() {
      await call(set, 'run:resume', () => api.run.resume())
    },
    async nextBatch() {
      await call(
        set,
        'run:next-batch',
        () => api.run.nextBatch(),
        (d) => (d.issued && d.batch ? `Batch ${d.batch} issued` : 'No batch was due')
      )
    },
    async oneInvoice(args) {
      await call(
        set,
        'run:one-invoice',
        () => api.run.oneInvoice(args),
        (d) => `Invoice ${d.invoiceId} issued`
      )
    },
    async stopRun() {
      await call(set, 'run:stop', () => api.run.stop({ reason: 'stopped from the window' }))
    },
    async exportRun() {
      await call(set, 'run:export', () => api.run.export(), deliver)
    },

    // --- Emulator ---

    async setSpeed(speed) {
      const clock = await call(
        set,
        'emulator:speed',
        () => api.emulator.clock({ speed }),
        (c) => `Speed ${formatSpeed(c.speed)}`
      )
      if (!clock) return
      set({ clock: { stark: clock.now, wall: deps.wallNow(), speed: clock.speed } })
      await call(set, 'prefs', () => api.prefs.set({ speed }))
    },
    async advanceClock(seconds) {
      const clock = await call(set, 'emulator:advance', () =>
        api.emulator.clock({ advanceSeconds: seconds })
      )
      if (clock) set({ clock: { stark: clock.now, wall: deps.wallNow(), speed: clock.speed } })
    },
    async setFaults(faults) {
      // The toggle flips at once; a refusal puts it back and says why next to it.
      const previous = get().faults
      if (previous) set({ faults: { ...previous, ...faults } })
      const next = await call(set, 'emulator:faults', () => api.emulator.faults(faults))
      set({ faults: next ?? previous })
    },

    // --- Preferences ---

    async setTheme(theme) {
      const previous = get().prefs
      set({ prefs: { ...previous, theme } })
      const saved = await call(set, 'prefs', () => api.prefs.set({ theme }))
      if (saved) set({ prefs: saved })
    },

    // --- Detail actions ---

    async replayEvent(eventId) {
      await call(
        set,
        `event:replay:${eventId}`,
        () => api.event.replay({ eventId }),
        (d) =>
          d.verdict === 'duplicate'
            ? 'Replayed: already processed, so nothing was done again (duplicate)'
            : `Replayed: ${d.verdict}`
      )
    },
    async retryTransfer(invoiceId) {
      await call(
        set,
        `transfer:retry:${invoiceId}`,
        () => api.transfer.retry({ invoiceId }),
        (d) => `Retry #${d.attempt} sent`
      )
    },
    async payNow(invoiceId) {
      await call(
        set,
        `invoice:pay-now:${invoiceId}`,
        () => api.invoice.payNow({ invoiceId }),
        () => 'Paid in the emulator: watch for its webhook'
      )
    },
    async openDocument(kind, id) {
      await call(set, `document:open:${kind}:${id}`, () => api.document.open({ kind, id }), deliver)
    },
    async loadChain(invoiceId) {
      return call(set, `invoice:chain:${invoiceId}`, () => api.invoice.chain({ invoiceId }))
    },
    async loadQrCode(invoiceId) {
      const data = await call(set, `invoice:qrcode:${invoiceId}`, () =>
        api.invoice.qrcode({ invoiceId, size: 8 })
      )
      return data?.dataUrl ?? null
    }
  }))
}
