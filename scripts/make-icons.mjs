#!/usr/bin/env node
/**
 * `npm run icons`: renders build/icon.svg into the icons electron-builder packs: build/icon.png
 * (1024 px, Linux AppImage and deb), build/icon.icns (macOS), build/icon.ico (Windows). Uses
 * icon-gen (SVG -> PNG through sharp, then the ICNS and ICO containers). The outputs are
 * committed, so packaging needs no image tooling; rerun this after changing the SVG.
 */
import { mkdtemp, rename, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import process from 'node:process'
import { fileURLToPath } from 'node:url'
import icongen from 'icon-gen'

const build = join(dirname(fileURLToPath(import.meta.url)), '..', 'build')
const work = await mkdtemp(join(tmpdir(), 'ssim-icons-'))
try {
  await icongen(join(build, 'icon.svg'), work, {
    report: false,
    ico: { name: 'icon', sizes: [16, 24, 32, 48, 64, 128, 256] },
    icns: { name: 'icon', sizes: [16, 32, 64, 128, 256, 512, 1024] },
    favicon: { name: 'icon-', pngSizes: [1024], icoSizes: [16] }
  })
  await rename(join(work, 'icon.ico'), join(build, 'icon.ico'))
  await rename(join(work, 'icon.icns'), join(build, 'icon.icns'))
  await rename(join(work, 'icon-1024.png'), join(build, 'icon.png'))
  process.stdout.write('wrote build/icon.png, build/icon.icns, build/icon.ico\n')
} finally {
  await rm(work, { recursive: true, force: true })
}
