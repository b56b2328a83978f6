/**
 * `npm run headless -- --ui`: the browser dashboard on the CLI's own engine. Kept apart from the
 * CLI so that its edit stays one call; when the runtime lands, `deps` come from it directly.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { APP_NAME } from '../../shared/app-info'
import type { Simulator } from '../engine/simulator'
import { downloadHost } from '../app/download-host'
import { legacyLive, legacyStatus, type LegacyTarget } from '../app/legacy/live'
import type { HostDeps } from '../app/ports'
import { confPrefs } from '../app/prefs'
import { startDashboard, type Dashboard } from './dashboard'

/** Where electron-vite writes the renderer, from the repository root. */
export const BUILT_RENDERER_DIR = join(__dirname, '../../../out/renderer')

const version = (): string =>
  (
    JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as {
      version: string
    }
  ).version

export async function startHeadlessDashboard(parts: {
  sim: Simulator
  target: LegacyTarget
  stateDir: string
  port?: number
  log: (line: string) => void
}): Promise<Dashboard> {
  const { sim, target, stateDir } = parts
  const live = legacyLive(sim, target, stateDir, (e) =>
    parts.log(`dashboard: a journal listener failed: ${String(e)}`)
  )
  const deps: HostDeps = {
    info: { name: APP_NAME, version: version(), host: 'dashboard' },
    status: () =>
      legacyStatus({
        phase: 'running',
        target,
        stateDir,
        webhookUrl: sim.webhookUrl,
        rejected: live.rejected(),
        clock: target.clock
      }),
    live: () => live,
    prefs: confPrefs(stateDir),
    host: downloadHost()
  }
  const dashboard = await startDashboard({
    deps,
    rendererDir: BUILT_RENDERER_DIR,
    port: parts.port,
    log: parts.log
  })
  return {
    ...dashboard,
    url: dashboard.url,
    async stop() {
      await dashboard.stop()
      live.close()
    }
  }
}
