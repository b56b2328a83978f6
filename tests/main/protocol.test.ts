// @vitest-environment node
/** The app:// scheme the desktop renderer is served from (not file://), and its CSP. */
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { answerAppRequest, registerAppScheme } from '../../src/main/electron/protocol'
import { protocol, resetElectronMock } from '../mocks/electron'

describe('app:// protocol', () => {
  let root: string
  beforeAll(async () => {
    resetElectronMock()
    const base = await mkdtemp(join(tmpdir(), 'ssim-app-'))
    root = join(base, 'renderer')
    await mkdir(join(root, 'assets'), { recursive: true })
    await writeFile(join(root, 'index.html'), '<!doctype html><title>app</title>')
    await writeFile(join(root, 'assets', 'a.js'), 'export {}')
    await writeFile(join(base, 'secret.txt'), 'outside')
  })

  it('When registered, Then app is a standard, secure scheme', () => {
    registerAppScheme()

    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      expect.objectContaining({
        scheme: 'app',
        privileges: expect.objectContaining({ standard: true, secure: true })
      })
    ])
  })

  it('When the page is asked for, Then it comes with a CSP that forbids forms, <base>, plugins and the network', async () => {
    const page = await answerAppRequest(root, 'app://renderer/index.html')
    const script = await answerAppRequest(root, 'app://renderer/assets/a.js')

    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<title>app</title>')
    const csp = page.headers.get('content-security-policy') ?? ''
    for (const rule of [
      "script-src 'self'",
      "form-action 'none'",
      "base-uri 'none'",
      "object-src 'none'",
      "connect-src 'none'"
    ])
      expect(csp).toContain(rule)
    expect(script.headers.get('content-type')).toMatch(/javascript/)
  })

  it('When a path leaves the renderer folder or names another host, Then it is not found', async () => {
    for (const url of [
      'app://renderer/../secret.txt',
      'app://renderer/%2e%2e/secret.txt',
      'app://renderer/assets/%2e%2e/%2e%2e/secret.txt',
      'app://other/index.html',
      'app://renderer/missing.js'
    ])
      expect((await answerAppRequest(root, url)).status, url).toBe(404)
  })
})
