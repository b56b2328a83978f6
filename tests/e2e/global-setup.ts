/**
 * Builds the app once when `out/` is missing, so `npm test` works on a fresh clone; CI builds
 * before the tests and this does nothing then.
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { BUILT_RENDERER, ROOT } from './env'

export default function globalSetup(): void {
  if (existsSync(BUILT_RENDERER) && existsSync(join(ROOT, 'out', 'main', 'index.js'))) return
  console.log('e2e: out/ is missing; building the app once (electron-vite build)...')
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
    { cwd: ROOT, stdio: 'inherit' }
  )
}
