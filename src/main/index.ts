/**
 * Composition root of the desktop app: the single-instance lock and bounded shutdown, the app://
 * scheme, one runtime in userData, the contract over IPC with its push hub, the menu, and the
 * window last. Feature logic lives in src/main/app (Electron-free) and src/main/electron (glue).
 */
import { BrowserWindow, app } from 'electron'
import ElectronStore from 'electron-store'
import { join } from 'node:path'
import { APP_NAME } from '../shared/app-info'
import { createDispatch } from './app/dispatch'
import { createHandlers } from './app/handlers'
import type { HostDeps } from './app/ports'
import { PushHub } from './app/push-hub'
import { createEnvironments } from './app/environments'
import { prefsChoice } from './app/prefs'
import { electronHost } from './electron/host-capabilities'
import { registerContractIpc } from './electron/ipc'
import { holdLifecycle, type Stoppable } from './electron/lifecycle'
import { setAppMenu } from './electron/menu'
import { electronPrefs } from './electron/prefs-store'
import { registerAppScheme, serveRenderer } from './electron/protocol'
import { createMainWindow } from './electron/window'
import { createRuntime } from './runtime/runtime'
import { loadInstallationId } from './secrets/installation-id'
import { createKeyStore } from './secrets/key-store'
import { safeStorageEncryptor } from './electron/safe-storage'

// Tests and development may point userData elsewhere (a fresh folder per e2e launch); a shipped
// app never honours it.
const userDataOverride = process.env['SSIM_USER_DATA']
if (!app.isPackaged && userDataOverride) app.setPath('userData', userDataOverride)

const realTime = (): number => Date.now()

function main(): void {
  registerAppScheme()
  // Filled in order once the app is ready; stopped in this order on quit.
  const stoppables: Stoppable[] = []
  if (!holdLifecycle(stoppables)) return

  app
    .whenReady()
    .then(() => {
      if (process.platform === 'win32') app.setAppUserModelId('com.starksandbox.simulator')
      serveRenderer(join(__dirname, '../renderer'))
      const prefs = electronPrefs()
      const speed = prefs.read().speed ?? 1
      const logger = {
        info: (m: string) => console.log(m),
        warn: (m: string) => console.warn(m),
        error: (m: string) => console.error(m)
      }
      // Sandbox credentials and this installation's id live in their own electron-store file;
      // the private key in it is encrypted by the OS through safeStorage.
      const secrets = new ElectronStore<Record<string, unknown>>({ name: 'credentials' })
      const keys = createKeyStore({ store: secrets, encryptor: safeStorageEncryptor(), logger })
      // The same runtime the CLI drives, one environment at a time. Stark's time stays still until
      // the run found in the folder has resumed (or, at max, until a run starts): see SpeedHold.
      const environments = createEnvironments({
        baseDir: join(app.getPath('userData'), 'state'),
        choice: prefsChoice(prefs),
        keys,
        installationId: loadInstallationId(secrets),
        speed,
        logger,
        createRuntime: (options) =>
          createRuntime({
            ...options,
            realTime,
            logger,
            // Each stop step well inside the shutdown's own deadline for the whole runtime.
            stopStepMs: 3_000
          })
      })
      let window: BrowserWindow | undefined
      const deps: HostDeps = {
        info: { name: APP_NAME, version: app.getVersion(), host: 'desktop' },
        status: environments.status,
        live: environments.live,
        prefs,
        host: electronHost(() => window),
        environments,
        keys
      }
      const hub = new PushHub(deps)
      environments.onChange(() => hub.statusChanged())
      const unregister = registerContractIpc(createDispatch(createHandlers(deps)), hub)
      stoppables.push(
        {
          name: 'push hub',
          stop: async () => {
            hub.close()
            unregister()
          }
        },
        {
          name: 'runtime',
          stop: () => environments.stop()
        }
      )
      setAppMenu({ stateDir: () => environments.status().stateDir, isPackaged: app.isPackaged })
      window = createMainWindow(prefs)
      // A run found in the state folder resumes; the window shows "starting" meanwhile.
      void environments.start()
      app.on('activate', () => {
        if (BrowserWindow.getAllWindows().length === 0) window = createMainWindow(prefs)
      })
    })
    .catch((error: unknown) => {
      console.error('Startup failed', error)
      app.exit(1)
    })
}

main()
