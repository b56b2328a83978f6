import type { Api } from './index'

declare global {
  interface Window {
    // Derived from the preload's own object, so the bridge and its type cannot drift apart.
    api: Api
  }
}
