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
import { createEnvironments, type EnvironmentsOptions } from '../app/environments'
import { confPrefs, memoryChoice } from '../app/prefs'
import { createKeyStore } from '../secrets/key-store'
import { userInstallationId } from '../secrets/installation-id'
import { memoryStore } from '../secrets/kv-store'
import { memoryEncryptor } from '../secrets/memory-encryptor'
import type { PublicUrlChoice } from '../../shared/environment'
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

export interface HeadlessDashboardParts {
  /** The CLI's runtime, started by the CLI: the first environment's. */
  runtime: Runtime
  /** The speed chosen for Stark's time (the CLI's --speed). */
  speed: ClockSpeed
  port?: number
  log: (line: string) => void
  /** Builds the runtime of a switched-to environment (the CLI adds its real time and logger). */
  createRuntime: EnvironmentsOptions['createRuntime']
  /** Where the other environment's folder goes (`<baseDir>/sandbox-<id>`). */
  baseDir: string
  /** The emulator environment's target (the CLI's, when it started on an emulator; its folder too). */
  emulatorTarget?: EnvironmentsOptions['emulatorTarget']
  publicUrl: PublicUrlChoice
  /** The sandbox credentials the CLI started with, kept for switching back. */
  credentials?: { projectId: string; privateKeyPem: string }
}

/**
 * The dashboard over the CLI's runtime, able to switch to the other environment. Credentials given
 * in the page are kept in memory only (the headless engine has no OS keyring).
 */
export async function startHeadlessDashboard(parts: HeadlessDashboardParts): Promise<Dashboard> {
  const { runtime } = parts
  const logger = { info: parts.log, warn: parts.log, error: parts.log }
  const keys = createKeyStore({ store: memoryStore(), encryptor: memoryEncryptor(), logger })
  if (parts.credentials) await keys.save(parts.credentials)
  const environments = createEnvironments({
    baseDir: parts.baseDir,
    emulatorTarget: parts.emulatorTarget,
    choice: memoryChoice({
      environment: runtime.target.kind === 'sandbox' ? 'sandbox' : 'emulator',
      publicUrl: parts.publicUrl
    }),
    keys,
    installationId: userInstallationId(),
    speed: parts.speed,
    logger,
    createRuntime: parts.createRuntime,
    initial: runtime
  })
  const deps: HostDeps = {
    info: { name: APP_NAME, version: version(), host: 'dashboard' },
    status: environments.status,
    live: environments.live,
    // Beside the first environment's state: the page's preferences outlive a switch.
    prefs: confPrefs(runtime.stateDir),
    host: downloadHost(),
    environments,
    keys
  }
  const dashboard = await startDashboard({
    deps,
    rendererDir: BUILT_RENDERER_DIR,
    port: parts.port,
    log: parts.log
  }).catch(async (error: unknown) => {
    await environments.stop()
    throw error
  })
  // The header hears of a phase or webhook change at once, not at the next tick.
  const offChange = environments.onChange(() => dashboard.statusChanged())
  return {
    ...dashboard,
    async stop() {
      offChange()
      await dashboard.stop()
      await environments.stop()
    }
  }
}
