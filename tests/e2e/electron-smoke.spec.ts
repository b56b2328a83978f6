/**
 * The desktop app itself, launched through Playwright's `_electron` with a fresh userData: the
 * window opens on app://, the preload's bridge exists, and the engine's status arrives. Needs
 * Electron's binary (`npm start` fetches it once); where it is missing this skips.
 */
import { _electron as electron, expect, test } from '@playwright/test'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { APP_NAME } from '../../src/shared/app-info'
import { ROOT } from './env'

const electronDir = join(ROOT, 'node_modules', 'electron')

function electronBinary(): string | undefined {
  try {
    const path = join(electronDir, 'dist', readFileSync(join(electronDir, 'path.txt'), 'utf8'))
    return existsSync(path) ? path : undefined
  } catch {
    return undefined
  }
}

test('When the desktop app starts, Then its window has the bridge and hears the engine', async () => {
  const executablePath = electronBinary()
  test.skip(!executablePath, "Electron's binary is not downloaded here (npm start fetches it once)")
  const userData = await mkdtemp(join(tmpdir(), 'ssim-electron-'))
  const app = await electron.launch({
    executablePath,
    args: [join(ROOT, 'out', 'main', 'index.js')],
    env: { ...process.env, SSIM_USER_DATA: userData } as Record<string, string>
  })
  try {
    const window = await app.firstWindow()
    expect(window.url()).toBe('app://renderer/index.html')
    expect(await window.evaluate(() => typeof (window as { api?: unknown }).api)).toBe('object')
    await expect(window.getByRole('heading', { name: APP_NAME })).toBeVisible()
    await expect(window.getByRole('status', { name: 'Engine' })).toHaveText('Engine running', {
      timeout: 30_000
    })
  } finally {
    await app.close()
    await rm(userData, { recursive: true, force: true })
  }
})
