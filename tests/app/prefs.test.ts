// @vitest-environment node
/**
 * Preferences: `conf` (CLI, dashboard, tests) and electron-store (the desktop app, on the electron
 * mock) share one file format in one place, so each reads what the other wrote; bad values on disk
 * fall back to defaults field by field; the theme reaches nativeTheme.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { confPrefs } from '../../src/main/app/prefs'
import { electronPrefs } from '../../src/main/electron/prefs-store'
import { appPaths, nativeTheme, resetElectronMock } from '../mocks/electron'

const PLAN = {
  batches: 3,
  intervalMs: 60_000,
  minInvoices: 1,
  maxInvoices: 2,
  minAmount: 100,
  maxAmount: 200,
  settleMs: 0
}

describe('preferences', () => {
  let dir: string
  beforeEach(async () => {
    resetElectronMock()
    dir = await mkdtemp(join(tmpdir(), 'ssim-prefs-'))
    appPaths['userData'] = dir
  })

  it('When nothing was saved, Then the theme follows the system and nothing else is set', () => {
    expect(confPrefs(dir).read()).toEqual({ theme: 'system' })
  })

  it('When conf writes, Then the file is plain JSON in config.json and reads back', async () => {
    const prefs = confPrefs(dir)

    prefs.write({ theme: 'dark', plan: PLAN, speed: 'max' })

    expect(prefs.path).toBe(join(dir, 'config.json'))
    expect(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'))).toEqual({
      theme: 'dark',
      plan: PLAN,
      speed: 'max'
    })
    expect(confPrefs(dir).read()).toEqual({ theme: 'dark', plan: PLAN, speed: 'max' })
  })

  it('When conf wrote, Then the desktop app’s electron-store reads the same values, and the reverse', () => {
    confPrefs(dir).write({ theme: 'light', speed: 1440 })

    const desktop = electronPrefs()
    expect(desktop.path).toBe(join(dir, 'config.json'))
    expect(desktop.read()).toEqual({ theme: 'light', speed: 1440 })
    desktop.write({ windowBounds: { x: 10, y: 20, width: 1280, height: 800, maximized: false } })

    expect(confPrefs(dir).read().windowBounds).toEqual({
      x: 10,
      y: 20,
      width: 1280,
      height: 800,
      maximized: false
    })
  })

  it('When the desktop store opens or the theme changes, Then nativeTheme follows it', () => {
    confPrefs(dir).write({ theme: 'dark' })

    const desktop = electronPrefs()
    expect(nativeTheme.themeSource).toBe('dark')
    desktop.write({ theme: 'system' })
    expect(nativeTheme.themeSource).toBe('system')
  })

  it('When the file holds nonsense in one field, Then that field falls back and the others survive', async () => {
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({ theme: 'neon', speed: 1440, plan: { batches: -1 }, windowBounds: 'big' })
    )

    expect(confPrefs(dir).read()).toEqual({ theme: 'system', speed: 1440 })
  })

  it('When a bad value is written, Then it is refused and the file is unchanged', () => {
    const prefs = confPrefs(dir)
    prefs.write({ speed: 60 })

    expect(() => prefs.write({ speed: -5 })).toThrow()
    expect(() => prefs.write({ nope: 1 } as never)).toThrow(/unknown preference/)
    expect(prefs.read()).toEqual({ theme: 'system', speed: 60 })
  })
})
