import { createPublicKey, createPrivateKey, generateKeyPairSync, sign, verify } from 'node:crypto'
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import starkbank from 'starkbank'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isAppError } from '../../src/shared/errors'
import {
  fingerprintOf,
  generateKeyPair,
  readKeyFile,
  validatePrivateKey
} from '../../src/main/stark/keys'
import { acceptedSamples, findLeak, refusedSamples } from '../helpers/key-material'

function refusal(fn: () => unknown): Error {
  try {
    fn()
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a refusal')
}

async function refusalOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a refusal')
}

describe('private key validation', () => {
  it('When a pair is generated, Then it is secp256k1 SEC1, the SDK accepts it and it signs', () => {
    const pair = generateKeyPair()
    const checked = validatePrivateKey(pair.privatePem)
    expect(checked.sec1Pem).toBe(pair.privatePem)
    expect(checked.publicPem).toBe(pair.publicPem)
    // The SDK's own check (starkcore) refuses anything but secp256k1 SEC1.
    expect(
      () => new starkbank.Project({ environment: 'sandbox', id: '1', privateKey: checked.sec1Pem })
    ).not.toThrow()
    const signature = sign('sha256', Buffer.from('x'), checked.sec1Pem)
    expect(verify('sha256', Buffer.from('x'), checked.publicPem, signature)).toBe(true)
  })

  it('When the same key comes in every accepted form, Then each gives one SEC1 key and one fingerprint', () => {
    const samples = acceptedSamples()
    const results = samples.map((s) => validatePrivateKey(s.text))
    const expected = createPublicKey(samples[0]!.privateKey!)
    for (const r of results) {
      expect(r.sec1Pem).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/)
      expect(r.publicPem).toBe(expected.export({ type: 'spki', format: 'pem' }).toString())
      expect(r.fingerprint).toBe(fingerprintOf(expected))
    }
    expect(results[0]!.fingerprint).toMatch(/^([0-9a-f]{2}:){7}[0-9a-f]{2}$/)
  })

  it('When two different keys are checked, Then their fingerprints differ', () => {
    const a = validatePrivateKey(generateKeyPair().privatePem)
    const b = validatePrivateKey(generateKeyPair().privatePem)
    expect(a.fingerprint).not.toBe(b.fingerprint)
  })

  for (const sample of refusedSamples()) {
    it(`When the text is ${sample.kind}, Then it is refused with words that say so and quote nothing`, () => {
      const error = refusal(() => validatePrivateKey(sample.text))
      expect(isAppError(error) && error.code).toBe('refused')
      expect(error.message).toMatch(sample.says)
      if (sample.privateKey) expect(findLeak(error.message, sample.privateKey)).toBeUndefined()
      expect(String(error.cause ?? '')).toBe('')
    })
  }
})

describe('key files', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ssim-keys-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('When every accepted kind is loaded from a file, Then each validates to the same key', async () => {
    const samples = acceptedSamples()
    const fingerprints = new Set<string>()
    for (const [i, sample] of samples.entries()) {
      const file = join(dir, `ok-${i}.pem`)
      await writeFile(file, sample.text)
      fingerprints.add((await readKeyFile(file)).fingerprint)
    }
    expect(fingerprints.size).toBe(1)
  })

  it('When every refused kind is loaded from a file, Then each gets its own message', async () => {
    for (const [i, sample] of refusedSamples().entries()) {
      const file = join(dir, `bad-${i}.pem`)
      await writeFile(file, sample.text)
      const error = await refusalOf(readKeyFile(file))
      expect(error.message, sample.kind).toMatch(sample.says)
    }
  })

  it('When the file is DER, missing, a folder or huge, Then the message names the problem and the file', async () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey
    const der = join(dir, 'key.der')
    await writeFile(der, key.export({ type: 'sec1', format: 'der' }))
    const derError = await refusalOf(readKeyFile(der))
    expect(derError.message).toMatch(/binary file.*DER.*Convert it to PEM/)
    expect(findLeak(derError.message, key)).toBeUndefined()

    expect((await refusalOf(readKeyFile(join(dir, 'nope.pem')))).message).toMatch(
      /nope\.pem cannot be used: there is no file there/
    )
    await mkdir(join(dir, 'folder.pem'))
    expect((await refusalOf(readKeyFile(join(dir, 'folder.pem')))).message).toMatch(/is a folder/)
    const huge = join(dir, 'huge.pem')
    await writeFile(huge, 'A'.repeat(100_000))
    expect((await refusalOf(readKeyFile(huge))).message).toMatch(/too large to be a key file/)
  })

  it('When a PKCS#8 file is loaded, Then the SEC1 result is the same private key', async () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey
    const file = join(dir, 'pkcs8.pem')
    await writeFile(file, key.export({ type: 'pkcs8', format: 'pem' }))
    const { sec1Pem } = await readKeyFile(file)
    expect(createPrivateKey(sec1Pem).export({ format: 'jwk' })).toEqual(
      key.export({ format: 'jwk' })
    )
  })
})

describe('the leak search itself', () => {
  it('When key material is present in any usual form, Then it is found', () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey
    const sec1 = key.export({ type: 'sec1', format: 'pem' }).toString()
    const body = sec1.split('\n').slice(1, -2).join('')
    const pkcs8 = key.export({ type: 'pkcs8', format: 'der' }).toString('base64')
    for (const text of [sec1, `error: ${body}`, JSON.stringify({ k: sec1 }), pkcs8]) {
      expect(findLeak(text, key)).toBeDefined()
    }
    const publicPem = createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString()
    expect(findLeak(publicPem, key)).toBeUndefined()
  })
})
