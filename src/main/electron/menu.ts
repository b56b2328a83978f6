/** The application menu: the usual roles, plus "Open State Folder" for the runtime's files. */
import { Menu, shell, type MenuItemConstructorOptions } from 'electron'

export function setAppMenu(options: { stateDir: () => string; isPackaged: boolean }): void {
  const openStateFolder: MenuItemConstructorOptions = {
    label: 'Open State Folder',
    click: () => {
      void shell.openPath(options.stateDir()).then((failure) => {
        if (failure) console.error(`Could not open ${options.stateDir()}: ${failure}`)
      })
    }
  }
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [openStateFolder, { type: 'separator' }, { role: 'quit' }]
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        ...(options.isPackaged ? [] : [{ role: 'toggleDevTools' as const }]),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' }
      ]
    },
    { role: 'windowMenu' }
  ]
  Menu.setApplicationMenu(Menu.buildFromTemplate(template))
}
