/**
 * What the user sees after an export or a document request. The desktop app saves or opens files
 * in main (a dialog; the renderer never names a path); the browser dashboard gets the bytes and
 * downloads them here.
 */
import type { Delivered, FilePayload } from '../../../shared/contract'

function download(file: FilePayload): void {
  const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0))
  const url = URL.createObjectURL(new Blob([bytes], { type: file.mime }))
  const link = document.createElement('a')
  link.href = url
  link.download = file.name
  link.rel = 'noopener'
  document.body.appendChild(link)
  link.click()
  link.remove()
  // Revoked later: some browsers read the blob after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

/** Carries out a delivery and returns the confirmation to show next to the button. */
export function deliver(result: Delivered): string | null {
  switch (result.kind) {
    case 'cancelled':
      return null
    case 'opened':
      return `Opened ${result.path}`
    case 'saved':
      return `Saved ${result.paths.length} file(s): ${result.paths.join(', ')}`
    case 'download':
      for (const file of result.files) download(file)
      return `Downloaded ${result.files.map((f) => f.name).join(', ')}`
  }
}
