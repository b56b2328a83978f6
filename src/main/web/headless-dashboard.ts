/**
 * `npm run headless -- --ui`: the browser dashboard on the CLI's own runtime, through the same
 * adapter the desktop app uses (runtime-ports.ts). Kept apart from the CLI so that its edit stays
 * one call.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { APP_NAME } from '../../shared/app-info'
import { downloadHost } from '../app/download-host'
import type { HostDeps } from '../app/ports'
import { confPrefs } from '../app/prefs'
import { runtimePorts } from '../app/runtime-ports'
import type { Runtime } from '../runtime/runtime'
import type { ClockSpeed } from '../time/clock'
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
  runtime: Runtime
  /** The speed chosen for Stark's time (the CLI's --speed). */
  speed: ClockSpeed
  port?: number
  log: (line: string) => void
}): Promise<Dashboard> {
  const { runtime } = parts
  const ports = runtimePorts(runtime, {
    speed: parts.speed,
    logger: { info: parts.log, warn: parts.log, error: parts.log }
  })
  const deps: HostDeps = {
    info: { name: APP_NAME, version: version(), host: 'dashboard' },
    status: ports.status,
    live: ports.live,
    prefs: confPrefs(runtime.stateDir),
    host: downloadHost()
  }
  const dashboard = await startDashboard({
    deps,
    rendererDir: BUILT_RENDERER_DIR,
    port: parts.port,
    log: parts.log
  }).catch((error: unknown) => {
    ports.close()
    throw error
  })
  // The header hears of a phase or webhook change at once, not at the next tick.
  const offChange = ports.onChange(() => dashboard.statusChanged())
  return {
    ...dashboard,
    async stop() {
      offChange()
      await dashboard.stop()
      ports.close()
    }
  }
}
