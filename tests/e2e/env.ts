/** Where the e2e tests find what they need on this machine. */
import { existsSync } from 'node:fs'
import { join } from 'node:path'

export const ROOT = join(__dirname, '..', '..')

/** Debian's Chromium (apt-get install chromium); override with CHROMIUM_PATH. */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'

export const hasChromium = (): boolean => existsSync(CHROMIUM)

export const BUILT_RENDERER = join(ROOT, 'out', 'renderer', 'index.html')
