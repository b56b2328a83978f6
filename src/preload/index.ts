/**
 * Runs sandboxed, so it may import only `electron` (plus types). It exposes one named function
 * per operation, never a generic invoke/send, so the renderer cannot pick channels.
 */
import { contextBridge, ipcRenderer } from 'electron'
import type { AppInfo, InvokeChannel, IpcResult } from '../shared/ipc-contract'

// Channel names are literals checked against the contract type: importing the contract's
// values would bundle zod into the preload.
const api = {
  app: {
    info: (): Promise<IpcResult<AppInfo>> => ipcRenderer.invoke('app:info' satisfies InvokeChannel)
  }
}

export type Api = typeof api

contextBridge.exposeInMainWorld('api', api)
