/**
 * The single entry point for renderer -> main requests. Every handler goes through `handle`,
 * which checks who is calling and parses the argument before any feature code runs.
 */
import { BrowserWindow, app, ipcMain, type IpcMainInvokeEvent } from 'electron'
import { z } from 'zod'
import { APP_NAME } from '../shared/app-info'
import {
  INVOKE_CHANNELS,
  InvokeChannels,
  appInfoArgs,
  fail,
  ok,
  type InvokeChannel,
  type IpcResult
} from '../shared/ipc-contract'
import { isAppUrl } from './window'

// --- Wrapper ---

/**
 * Only the app's own top-level page may call main. Subframes, pages that navigated away, and
 * webContents we did not create are refused, following VS Code's validateEvent.
 */
export function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame
  if (!frame || frame !== event.sender.mainFrame) return false
  if (!isAppUrl(frame.url)) return false
  return BrowserWindow.fromWebContents(event.sender) !== null
}

/**
 * Registers `fn` on `channel`. An untrusted sender gets a thrown error (it is an attack or a
 * bug, not a user-facing failure); a malformed argument gets `{ ok: false, code: 'invalid_args' }`.
 */
export function handle<S extends z.ZodType, R>(
  channel: InvokeChannel,
  schema: S,
  fn: (args: z.output<S>) => IpcResult<R> | Promise<IpcResult<R>>
): void {
  if (!INVOKE_CHANNELS.includes(channel)) throw new Error(`Unknown IPC channel: ${channel}`)
  ipcMain.handle(channel, async (event, ...args: unknown[]): Promise<IpcResult<R>> => {
    if (!isTrustedSender(event)) throw new Error(`Refused ${channel} from an untrusted sender`)
    if (args.length > 1) return fail('invalid_args', `${channel} takes at most one argument`)
    const parsed = schema.safeParse(args[0])
    if (!parsed.success) return fail('invalid_args', z.prettifyError(parsed.error))
    return fn(parsed.data)
  })
}

// --- app ---

export function registerAppIpc(): void {
  handle(InvokeChannels.appInfo, appInfoArgs, () =>
    ok({ name: APP_NAME, version: app.getVersion() })
  )
}
