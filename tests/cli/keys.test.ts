/**
 * `npm run -s keys`: a key pair without OpenSSL. The private key is written owner-only and is what
 * the key importer accepts; the public key printed is its public half; an existing file is never
 * overwritten without --force; usage errors exit 2.
 */
import { createPublicKey } from 'node:crypto'
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { validatePrivateKey } from '../../src/main/stark/keys'
import { CliProcess, killAllChildren } from '../helpers/cli-process'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ssim-keys-'))
})
afterEach(async () => {
  await killAllChildren()
  await rm(dir, { recursive: true, force: true })
})

const keys = (args: string[]): CliProcess => new CliProcess('src/cli/keys.ts', args)

describe('keys CLI', () => {
  it('When a pair is made, Then the private key is owner-only and valid, and its public half is printed with the next steps', async () => {
    const out = join(dir, 'privateKey.pem')
    const child = keys(['new', '--out', out])
    expect(await child.waitForExit(20_000), child.describe()).toEqual({ code: 0, signal: null })
    const privatePem = await readFile(out, 'utf8')
    const key = validatePrivateKey(privatePem)
    expect(child.lines.join('\n') + '\n').toBe(key.publicPem)
    expect(await readFile(join(dir, 'publicKey.pem'), 'utf8')).toBe(key.publicPem)
    if (process.platform !== 'win32') expect((await stat(out)).mode & 0o777).toBe(0o600)
    expect(child.stderr).toMatch(/sandbox\.web\.starkbank\.com/)
    expect(child.stderr).toContain(`--private-key ${out}`)
    expect(child.stderr).not.toContain('PRIVATE KEY')

    const again = keys(['new', '--out', out])
    expect((await again.waitForExit(20_000)).code).toBe(1)
    expect(again.stderr).toMatch(/already exists.*--force/)
    expect(await readFile(out, 'utf8')).toBe(privatePem)

    // --force over a file others could read: replaced, and owner-only again.
    await chmod(out, 0o644)
    const forced = keys(['new', '--out', out, '--force'])
    expect((await forced.waitForExit(20_000)).code).toBe(0)
    expect(await readFile(out, 'utf8')).not.toBe(privatePem)
    if (process.platform !== 'win32') expect((await stat(out)).mode & 0o777).toBe(0o600)
  }, 40_000)

  it('When asked for the public key of a PKCS#8 file, Then it prints it; usage errors exit 2', async () => {
    const { privateKey } = await import('node:crypto').then((c) =>
      c.generateKeyPairSync('ec', { namedCurve: 'secp256k1' })
    )
    const file = join(dir, 'pkcs8.pem')
    await writeFile(file, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())
    const child = keys(['public', file])
    expect((await child.waitForExit(20_000)).code).toBe(0)
    const printed = createPublicKey(child.lines.join('\n'))
    expect(printed.export({ type: 'spki', format: 'der' })).toEqual(
      createPublicKey(privateKey).export({ type: 'spki', format: 'der' })
    )
    const wrong = keys(['new', '--bogus'])
    expect((await wrong.waitForExit(20_000)).code).toBe(2)
    expect(wrong.stderr).toMatch(/Usage:/)
  }, 40_000)
})
