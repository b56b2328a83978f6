/**
 * The IPC contract: channel names and the zod schemas main uses to parse what the renderer
 * sends. Pure TypeScript (zod only), shared by main, preload types and renderer.
 *
 * Every argument arrives in main as `unknown`; the schema is the only thing that turns it
 * into a typed value, so a compromised renderer cannot smuggle in unexpected shapes.
 */
import { z } from 'zod'

// --- Channels ---

/** Renderer -> main request/response channels (ipcRenderer.invoke / ipcMain.handle). */
export const InvokeChannels = {
  appInfo: 'app:info'
} as const

export type InvokeChannel = (typeof InvokeChannels)[keyof typeof InvokeChannels]

export const INVOKE_CHANNELS: readonly InvokeChannel[] = Object.values(InvokeChannels)

// --- Results ---

/** Codes for failures the UI is expected to show; bugs are thrown instead. */
export type IpcErrorCode = 'invalid_args'

/** Only `error.message` survives ipcMain.handle, so expected failures travel as data. */
export type IpcResult<T> =
  { ok: true; data: T } | { ok: false; code: IpcErrorCode; message: string }

export const ok = <T>(data: T): IpcResult<T> => ({ ok: true, data })

export const fail = <T = never>(code: IpcErrorCode, message: string): IpcResult<T> => ({
  ok: false,
  code,
  message
})

// --- app:info ---

/** `invoke('app:info')` with no argument delivers `undefined`; anything else is refused. */
export const appInfoArgs = z.undefined()

export interface AppInfo {
  name: string
  version: string
}
