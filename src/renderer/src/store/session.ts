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
    api.on('status', (status) => {
      const previous = store.getState().status
      store.setState({
        status,
        clock: { stark: status.clock.now, wall: deps.wallNow(), speed: status.clock.speed }
      })
      // Another state folder is another environment's run: start over on its journal.
      if (previous && previous.stateDir !== status.stateDir) void reload(store)
      // The same folder's engine started again (a public URL applied, Try again): its journal
      // goes on from where this page is, and what it wrote while starting is asked for.
      else if (previous && previous.phase !== 'running' && status.phase === 'running')
        void store.getState().api.session.ready({ afterSeq: store.getState().journal.lastSeq })
    })
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
      if (status.ok && status.data.environment === 'emulator') await loadFaults(store)
      // Not part of the first picture: a host without environments still shows its run.
      await store.getState().loadEnvironment()
    } catch (error) {
      lost(transportMessage(error))
    }
  })()

  return () => offs.forEach((off) => off())
}

async function loadFaults(store: AppStore): Promise<void> {
  const faults = await store.getState().api.emulator.faults()
  if (faults.ok) store.setState({ faults: faults.data })
}

/**
 * After a switch: drops the previous environment's log, snapshot and selection, then loads the new
 * one's as at startup (the host replays its whole journal after seq 0). Until the host answered,
 * the fresh buffer takes only entries that follow on (see JournalBuffer.contiguousOnly).
 */
async function reload(store: AppStore): Promise<void> {
  const state = store.getState()
  const { api } = state
  state.resetForNewStateDir()
  const journal = store.getState().journal
  try {
    const [ready, snapshot] = await Promise.all([
      api.session.ready({ afterSeq: 0 }),
      api.snapshot.get()
    ])
    journal.contiguousOnly = false
    if (snapshot.ok && !store.getState().snapshot) store.setState({ snapshot: snapshot.data })
    if (!ready.ok) store.setState({ connection: { state: 'lost', message: ready.message } })
  } catch (error) {
    store.setState({ connection: { state: 'lost', message: transportMessage(error) } })
  }
  if (store.getState().status?.environment === 'emulator') await loadFaults(store)
  await store.getState().loadEnvironment()
}
