/**
 * Wires the host's pushes into the store, in one place: journal batches, snapshots and status. Then
 * it tells the host we are ready, with the last seq we hold, so the host replays exactly what we
 * miss (none twice, none lost) before going live; after a reconnect it does the same again.
 */
import type { AppStore } from './app-store'
import type { AppState } from './types'
import { transportMessage } from './controls'
import type { ConnectionListener } from '../lib/dashboard-client'

function hasConnection(
  api: object
): api is { onConnection(listener: ConnectionListener): () => void } {
  return typeof (api as { onConnection?: unknown }).onConnection === 'function'
}

export interface SessionDeps {
  wallNow: () => number
}

/** Loads the first picture and subscribes; returns the function that detaches everything. */
export function connectSession(store: AppStore, deps: SessionDeps): () => void {
  const { api } = store.getState()
  const offs = [
    api.on('journal', ({ entries }) => store.getState().appendEntries(entries)),
    api.on('snapshot', (snapshot) => {
      const clock = store.getState().clock
      store.setState({
        snapshot,
        clock: { stark: snapshot.now, wall: deps.wallNow(), speed: clock?.speed ?? 1 }
      })
    }),
    api.on('status', (status) =>
      store.setState({
        status,
        clock: { stark: status.clock.now, wall: deps.wallNow(), speed: status.clock.speed }
      })
    )
  ]

  const lost = (message: string, refused = false): void =>
    store.setState({ connection: { state: 'lost', message, refused } })
  // The browser dashboard's socket can drop (the engine stopped) and come back; Electron IPC cannot.
  if (hasConnection(api)) {
    offs.push(
      api.onConnection((state, message, refused) => {
        if (state === 'lost') lost(message ?? 'The connection to the engine was lost.', refused)
        else if (store.getState().connection.state === 'lost')
          store.setState({ connection: { state: 'live', message: null } })
      })
    )
  }

  void (async () => {
    try {
      const [info, status, snapshot, prefs, ready] = await Promise.all([
        api.app.info(),
        api.runtime.status(),
        api.snapshot.get(),
        api.prefs.get(),
        api.session.ready({ afterSeq: store.getState().journal.lastSeq })
      ])
      // A push may have arrived while these were on their way: it is newer, so it wins.
      const current = store.getState()
      const patch: Partial<AppState> = {}
      if (info.ok) patch.info = info.data
      if (status.ok && !current.status) {
        patch.status = status.data
        patch.clock = {
          stark: status.data.clock.now,
          wall: deps.wallNow(),
          speed: status.data.clock.speed
        }
      }
      if (snapshot.ok && !current.snapshot) patch.snapshot = snapshot.data
      if (prefs.ok) patch.prefs = prefs.data
      store.setState(patch)
      const failed = [info, status, snapshot, prefs, ready].find((r) => !r.ok)
      if (failed && !failed.ok) {
        lost(failed.message, failed.code === 'refused')
        return
      }
      store.setState({ connection: { state: 'live', message: null } })
      if (status.ok && status.data.environment === 'emulator') {
        const faults = await api.emulator.faults()
        if (faults.ok) store.setState({ faults: faults.data })
      }
    } catch (error) {
      lost(transportMessage(error))
    }
  })()

  return () => offs.forEach((off) => off())
}
