/**
 * The whole window rendered on the recorded run, with a test host behind it: what the component
 * tests look at. The status is a running embedded emulator at 1440x unless a test changes it.
 */
import { render } from '@testing-library/react'
import type { RuntimeStatus } from '../../../src/shared/contract'
import type { JournalEntry } from '../../../src/shared/journal'
import App from '../../../src/renderer/src/App'
import { createAppStore } from '../../../src/renderer/src/store/app-store'
import { StoreContext } from '../../../src/renderer/src/store/context'
import { recordedEntries, snapshotAfter } from './recorded'
import { runningStatus } from './status'
import { createTestHost } from './test-host'

/** `entries` null: a window with no run yet. */
export function renderApp(
  entries: readonly JournalEntry[] | null = recordedEntries,
  status: RuntimeStatus = runningStatus()
) {
  const host = createTestHost()
  const store = createAppStore(host.api, { wallNow: () => 0 })
  store.setState({
    status,
    snapshot: snapshotAfter(entries ?? []),
    clock: { stark: status.clock.now, wall: 0, speed: status.clock.speed },
    connection: { state: 'live', message: null }
  })
  if (entries) store.getState().appendEntries(entries)
  render(
    <StoreContext.Provider value={store}>
      <App />
    </StoreContext.Provider>
  )
  return { host, store }
}
