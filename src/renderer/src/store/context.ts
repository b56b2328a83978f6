/**
 * Hands the one store to the components (`<StoreContext.Provider value={store}>`), so the app,
 * the unit tests and the bench page each give them their own.
 */
import { createContext, useContext } from 'react'
import { useStore } from 'zustand'
import type { AppStore } from './app-store'
import { controlOf } from './controls'
import type { AppState, ControlState } from './types'

export const StoreContext = createContext<AppStore | null>(null)

export function useAppStoreApi(): AppStore {
  const store = useContext(StoreContext)
  if (!store) throw new Error('components need a <StoreContext.Provider> above them')
  return store
}

/** Selects from the store; re-renders only when the selected value changes. */
export function useApp<T>(selector: (state: AppState) => T): T {
  return useStore(useAppStoreApi(), selector)
}

/** A control's busy state, last error and last confirmation. */
export function useControl(key: string): ControlState {
  return useApp((s) => controlOf(s, key))
}
