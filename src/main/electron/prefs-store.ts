/**
 * Preferences in electron-store (in userData/config.json) behind the app's `PrefsStore`, with the
 * theme applied to `nativeTheme` whenever it changes, so the renderer's `prefers-color-scheme`
 * follows the OS ('system') or the user's choice.
 */
import { nativeTheme } from 'electron'
import ElectronStore from 'electron-store'
import type { Prefs } from '../../shared/contract'
import type { PrefsStore } from '../app/ports'
import { prefsOver, type KeyValueFile } from '../app/prefs'

export function applyTheme(theme: Prefs['theme']): void {
  nativeTheme.themeSource = theme
}

export function electronPrefs(): PrefsStore {
  const store = prefsOver(new ElectronStore<Record<string, unknown>>() as unknown as KeyValueFile)
  applyTheme(store.read().theme)
  return {
    path: store.path,
    read: () => store.read(),
    write(patch) {
      const next = store.write(patch)
      if (patch.theme !== undefined) applyTheme(next.theme)
      return next
    }
  }
}
