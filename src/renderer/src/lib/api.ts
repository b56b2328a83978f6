/**
 * The one place the renderer reaches its host; components import `api` from here, never
 * `window.api`. In the desktop app that is the preload's bridge (Electron IPC); in a browser
 * (the headless engine's dashboard) it is the same `RendererApi` over a WebSocket.
 */
import type { RendererApi } from '../../../shared/contract'
import { connectDashboard, dashboardSocketUrl, takeToken } from './dashboard-client'

function resolveApi(): RendererApi {
  if ('api' in window && window.api) return window.api
  return connectDashboard({
    url: dashboardSocketUrl(window.location),
    token: takeToken(window.location, window.sessionStorage, window.history)
  })
}

export const api: RendererApi = resolveApi()
