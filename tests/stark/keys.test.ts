import { generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { generateKeyPair, publicKeyOf, toSec1Pem } from '../../src/main/stark/keys'

describe('project keys', () => {
  it('When a pair is generated, Then the private half is SEC1 and derives the public half', () => {
    const pair = generateKeyPair()
    expect(pair.privatePem).toContain('BEGIN EC PRIVATE KEY')
    expect(publicKeyOf(pair.privatePem)).toBe(pair.publicPem)
  })

  it('When a secp256k1 key comes as PKCS8, Then it is converted to the SEC1 PEM the SDK needs', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' })
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    const sec1 = toSec1Pem(pkcs8)
    expect(sec1).toContain('BEGIN EC PRIVATE KEY')
    expect(publicKeyOf(sec1)).toBe(publicKey.export({ type: 'spki', format: 'pem' }).toString())
  })

  it('When the key is of another curve or not a key, Then the error says what is needed and quotes nothing', () => {
    const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .privateKey.export({ type: 'sec1', format: 'pem' })
      .toString()
    expect(() => toSec1Pem(p256)).toThrow(/secp256k1/)
    const garbage = '-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n'
    expect(() => publicKeyOf(garbage)).toThrow(/not a PEM private key/)
    try {
      toSec1Pem(p256)
    } catch (error) {
      expect((error as Error).message).not.toContain(p256.split('\n')[1])
    }
  })
})
