/**
 * The contract over Electron IPC. Every operation of the contract's map is registered under its own
 * name, and `dispatch` parses its argument with the schema of that same name, so a channel cannot be
 * paired with the wrong schema. Each call's sender is validated first (VS Code's validateEvent);
 * pushes go to each window through the hub, held until its page says it is ready.
 */
import { BrowserWindow, ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron'
import { OPERATION_NAMES, type HostEventName } from '../../shared/contract'
import type { Dispatch } from '../app/dispatch'
import type { PushClient, PushHub } from '../app/push-hub'
import { isAppUrl } from './window'

/** The channel a pushed event travels on (the preload listens on the same literals). */
export const pushChannel = (event: HostEventName): `push:${HostEventName}` => `push:${event}`

/**
 * Only the app's own top-level page may call main. Subframes, pages that navigated away, and
 * webContents we did not create are refused.
 */
export function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame
  if (!frame || frame !== event.sender.mainFrame) return false
  if (!isAppUrl(frame.url)) return false
  return BrowserWindow.fromWebContents(event.sender) !== null
}

/** Registers every operation; returns the function that removes them (tests, shutdown). */
export function registerContractIpc(dispatch: Dispatch, hub: PushHub): () => void {
  const sessions = new Map<WebContents, PushClient>()
  const sessionFor = (contents: WebContents): PushClient => {
    const existing = sessions.get(contents)
    if (existing) return existing
    const client = hub.connect((event, payload) => {
      if (contents.isDestroyed()) throw new Error('the window is gone')
      contents.send(pushChannel(event), payload)
    })
    sessions.set(contents, client)
    const end = (): void => {
      client.close()
      if (sessions.get(contents) === client) sessions.delete(contents)
      contents.off('destroyed', end)
      contents.off('did-navigate', end)
    }
    contents.on('destroyed', end)
    // A reload or a navigation: stop pushing until the new page says it is ready again.
    contents.on('did-navigate', end)
    return client
  }

  for (const name of OPERATION_NAMES) {
    ipcMain.handle(name, async (event, ...args: unknown[]) => {
      // An untrusted sender is an attack or a bug, not a user-facing failure: it gets a throw.
      if (!isTrustedSender(event)) throw new Error(`Refused ${name} from an untrusted sender`)
      return dispatch(name, args, sessionFor(event.sender))
    })
  }
  return () => {
    for (const name of OPERATION_NAMES) ipcMain.removeHandler(name)
    for (const client of sessions.values()) client.close()
    sessions.clear()
  }
}
