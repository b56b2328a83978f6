/**
 * Composition root of the desktop app: the single-instance lock and bounded shutdown, the app://
 * scheme, one runtime in userData, the contract over IPC with its push hub, the menu, and the
 * window last. Feature logic lives in src/main/app (Electron-free) and src/main/electron (glue).
 */
import { BrowserWindow, app } from 'electron'
import { join } from 'node:path'
import { APP_NAME } from '../shared/app-info'
import { createDispatch } from './app/dispatch'
import { createHandlers } from './app/handlers'
import { legacyRuntime } from './app/legacy/runtime'
import type { HostDeps } from './app/ports'
import { PushHub } from './app/push-hub'
import { electronHost } from './electron/host-capabilities'
import { registerContractIpc } from './electron/ipc'
import { holdLifecycle, type Stoppable } from './electron/lifecycle'
import { setAppMenu } from './electron/menu'
import { electronPrefs } from './electron/prefs-store'
import { registerAppScheme, serveRenderer } from './electron/protocol'
import { createMainWindow } from './electron/window'

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
      const saved = prefs.read().speed
      const runtime = legacyRuntime({
        stateDir: join(app.getPath('userData'), 'state', 'emulator'),
        speed: typeof saved === 'number' ? saved : 1,
        realTime,
        logger: {
          info: (m) => console.log(m),
          warn: (m) => console.warn(m),
          error: (m) => console.error(m)
        }
      })
      let window: BrowserWindow | undefined
      const deps: HostDeps = {
        info: { name: APP_NAME, version: app.getVersion(), host: 'desktop' },
        status: runtime.status,
        live: runtime.live,
        prefs,
        host: electronHost(() => window)
      }
      const hub = new PushHub(deps)
      runtime.onChange(() => hub.statusChanged())
      const unregister = registerContractIpc(createDispatch(createHandlers(deps)), hub)
      stoppables.push(
        {
          name: 'push hub',
          stop: async () => {
            hub.close()
            unregister()
          }
        },
        { name: 'runtime', stop: () => runtime.stop() }
      )
      setAppMenu({ stateDir: () => runtime.stateDir, isPackaged: app.isPackaged })
      window = createMainWindow(prefs)
      // A run found in the state folder resumes; the window shows "starting" meanwhile.
      void runtime.start()
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
