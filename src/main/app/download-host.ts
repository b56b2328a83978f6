/**
 * The browser dashboard's host capabilities: it cannot open a save dialog or a document on the
 * machine that runs the engine (that may not be where the browser is), so it hands the files to
 * the page, which offers them as downloads.
 */
import type { Delivered } from '../../shared/contract'
import type { HostCapabilities, OutgoingFile } from './ports'

const payload = (file: OutgoingFile): { name: string; mime: string; base64: string } => ({
  name: file.name,
  mime: file.mime,
  base64: Buffer.from(file.bytes).toString('base64')
})

export function downloadHost(): HostCapabilities {
  return {
    save: async (files): Promise<Delivered> => ({ kind: 'download', files: files.map(payload) }),
    open: async (file): Promise<Delivered> => ({ kind: 'download', files: [payload(file)] })
  }
}
