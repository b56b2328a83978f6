/**
 * The whole window rendered on the recorded run, with a test host behind it: what the component
 * tests look at. The status is a running embedded emulator at 1440x unless a test changes it; the
 * host keeps keys in memory (as the dashboard does) and has none saved, unless the test answers
 * `keys:get` / `environment:get` itself before the panels ask.
 */
import { render } from '@testing-library/react'
import type { RuntimeStatus } from '../../../src/shared/contract'
import { ok } from '../../../src/shared/contract'
import type { EnvironmentView, KeysView } from '../../../src/shared/environment'
import type { JournalEntry } from '../../../src/shared/journal'
import App from '../../../src/renderer/src/App'
import { createAppStore } from '../../../src/renderer/src/store/app-store'
import { StoreContext } from '../../../src/renderer/src/store/context'
import { recordedEntries, snapshotAfter } from './recorded'
import { runningStatus } from './status'
import { createTestHost, type TestHost } from './test-host'

export const memoryKeys = (credentials: KeysView['credentials'] = null): KeysView => ({
  protection: { backend: 'memory', available: true, protected: true, reason: null },
  credentials
})

export const emulatorView = (overrides: Partial<EnvironmentView> = {}): EnvironmentView => ({
  environment: 'emulator',
  publicUrl: { mode: 'off' },
  stateDirs: { emulator: '/state/emulator', sandbox: null },
  ...overrides
})

export interface RenderOptions {
  /** Wall-clock time the store reads (countdowns); default 0. */
  wallNow?: () => number
  /** Answers set before the window renders (the panels ask on mount). */
  setup?: (host: TestHost) => void
}

/** `entries` null: a window with no run yet. */
export function renderApp(
  entries: readonly JournalEntry[] | null = recordedEntries,
  status: RuntimeStatus = runningStatus(),
  options: RenderOptions = {}
) {
  const host = createTestHost()
  host.answer('keys:get', () => ok(memoryKeys()))
  host.answer('environment:get', () => ok(emulatorView()))
  options.setup?.(host)
  const store = createAppStore(host.api, { wallNow: options.wallNow ?? (() => 0) })
  store.setState({
    status,
    snapshot: snapshotAfter(entries ?? []),
    clock: { stark: status.clock.now, wall: 0, speed: status.clock.speed },
    connection: { state: 'live', message: null }
  })
  if (entries) store.getState().appendEntries(entries)
  const view = render(
    <StoreContext.Provider value={store}>
      <App />
    </StoreContext.Provider>
  )
  return { host, store, view }
}
