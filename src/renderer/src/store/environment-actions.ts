/**
 * The store's environment part: which Stark the host talks to, the sandbox key as the host shows it
 * (project id, fingerprint, public key: the private key is sent once, when saved, and never kept
 * here), the public webhook URL choice, and "Test connection". Each operation reports under its own
 * control key, so its outcome appears next to the button that asked.
 */
import type { RendererApi } from '../../../shared/contract'
import type { CredentialsView } from '../../../shared/environment'
import { formatBRL } from '../../../shared/money'
import { call, clearControl } from './controls'
import { JournalBuffer } from './journal-buffer'
import type { AppState } from './types'

type Set = (patch: Partial<AppState> | ((s: AppState) => Partial<AppState>)) => void
type Get = () => AppState

export type EnvironmentSlice = Pick<
  AppState,
  | 'environmentView'
  | 'keys'
  | 'connectionReport'
  | 'sandboxRequest'
  | 'loadEnvironment'
  | 'switchEnvironment'
  | 'resetForNewStateDir'
  | 'saveKey'
  | 'loadKeyFile'
  | 'generateKey'
  | 'setProject'
  | 'deleteKey'
  | 'testConnection'
>

export function environmentSlice(api: RendererApi, set: Set, get: Get): EnvironmentSlice {
  const refreshView = async (): Promise<void> => {
    const view = await call(set, 'environment:get', () => api.environment.get())
    if (view) set({ environmentView: view })
  }

  /** A key operation's answer replaces what the panel shows; the folder names may follow it. */
  const keyChanged = async (credentials: CredentialsView | null): Promise<void> => {
    const keys = get().keys
    // A Test connection's answer was about the key that was there before.
    set({ connectionReport: null, ...(keys ? { keys: { ...keys, credentials } } : {}) })
    // A refusal for lack of a key no longer holds once the key changed.
    clearControl(set, 'environment:switch')
    await refreshView()
  }

  const keyOp = async (
    key: string,
    op: () => ReturnType<RendererApi['keys']['save']>,
    done: string
  ): Promise<boolean> => {
    const credentials = await call(set, key, op, () => done)
    if (!credentials) return false
    await keyChanged(credentials)
    return true
  }

  return {
    environmentView: null,
    keys: null,
    connectionReport: null,
    sandboxRequest: 0,

    async loadEnvironment() {
      const [, keys] = await Promise.all([
        refreshView(),
        call(set, 'keys:get', () => api.keys.get())
      ])
      if (keys) set({ keys })
    },

    async switchEnvironment(choice, control = 'environment:switch') {
      const view = await call(
        set,
        control,
        () => api.environment.switch(choice),
        undefined,
        (code) => {
          if (code === 'no_credentials') set((s) => ({ sandboxRequest: s.sandboxRequest + 1 }))
        }
      )
      if (!view) return false
      set({ environmentView: view, connectionReport: null })
      return true
    },

    resetForNewStateDir() {
      // A fresh buffer: the other environment's journal numbers from 1 again.
      const journal = new JournalBuffer({ contiguousOnly: true })
      set({
        journal,
        journalVersion: journal.version,
        snapshot: null,
        selection: null,
        followTail: true,
        connectionReport: null
      })
    },

    saveKey: (input, control = 'keys:save') =>
      keyOp(control, () => api.keys.save(input), 'Key saved. It never leaves this engine.'),

    async loadKeyFile(input) {
      const credentials = await call(
        set,
        'keys:load-file',
        () => api.keys.loadFile(input),
        (c) => (c ? 'Key loaded from the file.' : null)
      )
      if (!credentials) return false
      await keyChanged(credentials)
      return true
    },

    generateKey: (input) =>
      keyOp(
        'keys:generate',
        () => api.keys.generate(input),
        'Key generated: register its public key at Stark (steps under Saved key).'
      ),

    setProject: (projectId) =>
      keyOp('keys:set-project', () => api.keys.setProject({ projectId }), 'Project id saved.'),

    async deleteKey() {
      const data = await call(
        set,
        'keys:delete',
        () => api.keys.delete(),
        (d) => (d.deleted ? 'The saved key was deleted.' : 'There was no saved key.')
      )
      if (!data) return false
      await keyChanged(null)
      return true
    },

    async testConnection() {
      set({ connectionReport: null })
      const report = await call(set, 'connection:test', () => api.connection.test())
      if (report) set({ connectionReport: report })
    }
  }
}

/** "Connected: balance R$ 1.234,56, Stark's key ab12…, 2 webhooks" */
export function connectedLine(report: {
  balance: number
  starkKeyFingerprint: string
  webhooks: unknown[]
}): string {
  const n = report.webhooks.length
  return `Connected: balance ${formatBRL(report.balance)}, Stark's key ${report.starkKeyFingerprint}, ${n} webhook${n === 1 ? '' : 's'}`
}
