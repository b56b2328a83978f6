/**
 * The desktop's way of handing files to the user: a save dialog opened by main (the renderer never
 * names a path, so a compromised page cannot write anywhere), and documents opened by the OS from
 * a private temp folder.
 */
import { BrowserWindow, app, dialog, shell } from 'electron'
import { mkdir, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { Delivered } from '../../shared/contract'
import type { HostCapabilities, OutgoingFile } from '../app/ports'
import { readKeyFile } from '../stark/keys'

/** `stark-run-x.json` + `stark-run-x-invoices.csv` -> `-invoices.csv` (the part after the base). */
const suffixOf = (first: OutgoingFile, file: OutgoingFile): string => {
  const base = first.name.replace(/\.json$/, '')
  return file.name.startsWith(base) ? file.name.slice(base.length) : `-${file.name}`
}

export function electronHost(window: () => BrowserWindow | undefined): HostCapabilities {
  return {
    async save(files): Promise<Delivered> {
      const [first] = files
      if (!first) return { kind: 'cancelled' }
      const options = {
        title: 'Export the run',
        defaultPath: join(app.getPath('documents'), first.name),
        filters: [{ name: 'JSON (CSV files are written next to it)', extensions: ['json'] }]
      }
      const owner = window()
      const choice = owner
        ? await dialog.showSaveDialog(owner, options)
        : await dialog.showSaveDialog(options)
      if (choice.canceled || !choice.filePath) return { kind: 'cancelled' }
      const chosen = choice.filePath.endsWith('.json') ? choice.filePath : `${choice.filePath}.json`
      const stem = join(dirname(chosen), basename(chosen, '.json'))
      const paths: string[] = []
      for (const file of files) {
        const path = file === first ? chosen : `${stem}${suffixOf(first, file)}`
        await writeFile(path, file.bytes)
        paths.push(path)
      }
      return { kind: 'saved', paths }
    },
    async open(file): Promise<Delivered> {
      const folder = join(app.getPath('temp'), 'stark-sandbox-simulator')
      await mkdir(folder, { recursive: true, mode: 0o700 })
      // The name is built from an id the contract already restricted to [0-9A-Za-z_-].
      const path = join(folder, basename(file.name))
      await writeFile(path, file.bytes, { mode: 0o600 })
      const failure = await shell.openPath(path)
      if (failure) throw new Error(`The system could not open ${path}: ${failure}`)
      return { kind: 'opened', path }
    },
    async readKeyFile() {
      const options = {
        title: 'Load the sandbox private key',
        properties: ['openFile' as const],
        filters: [
          { name: 'PEM private key', extensions: ['pem', 'key'] },
          { name: 'All files', extensions: ['*'] }
        ]
      }
      const owner = window()
      const choice = owner
        ? await dialog.showOpenDialog(owner, options)
        : await dialog.showOpenDialog(options)
      const [path] = choice.filePaths
      if (choice.canceled || !path) return null
      // Read as the CLI reads --private-key: bounded, PEM only, refusals that never quote it.
      return (await readKeyFile(path)).sec1Pem
    }
  }
}
