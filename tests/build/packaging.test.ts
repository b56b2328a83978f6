// @vitest-environment node
/**
 * Packaging, as far as this machine allows (electron-builder cannot download Electron here): the
 * config validates against electron-builder's own schema, the fuses that close the packaged app
 * to Node-style tampering are set, and every platform's icon exists in the format it needs.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = join(__dirname, '..', '..')
// electron-builder's own loaders, resolved from it (its pinned dependencies).
const fromBuilder = createRequire(require.resolve('electron-builder/package.json'))
const yaml = fromBuilder('js-yaml') as { load(text: string): unknown }
const { validateConfiguration } = createRequire(require.resolve('app-builder-lib/package.json'))(
  './out/util/config/config'
) as { validateConfiguration(config: unknown, log: unknown): Promise<void> }

const config = yaml.load(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as Record<
  string,
  Record<string, unknown>
>

describe('electron-builder.yml', () => {
  it('When validated by electron-builder, Then it matches its schema', async () => {
    await expect(validateConfiguration(config, { warn: () => undefined })).resolves.toBeUndefined()
    await expect(
      validateConfiguration(
        { ...config, electronFuses: { runAsNod: false } },
        { warn: () => undefined }
      )
    ).rejects.toThrow(/configuration object/)
  })

  it('When packaged, Then the fuses are set: no RunAsNode, NODE_OPTIONS or inspect, asar integrity, asar only', () => {
    expect(config['electronFuses']).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true
    })
  })

  it('When packaged for each OS, Then its icon exists in its format', () => {
    const icon = (path: unknown): Buffer => readFileSync(join(ROOT, String(path)))
    expect(icon(config['mac']?.['icon']).subarray(0, 4).toString()).toBe('icns')
    expect([...icon(config['win']?.['icon']).subarray(0, 4)]).toEqual([0, 0, 1, 0])
    const png = icon(config['linux']?.['icon'])
    expect(png.subarray(1, 4).toString()).toBe('PNG')
    expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(512)
    expect(config['mac']?.['target']).toEqual(['dmg'])
    expect(config['win']?.['target']).toEqual(['nsis'])
    expect(config['linux']?.['target']).toEqual(['AppImage', 'deb'])
  })
})
