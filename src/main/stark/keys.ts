/**
 * Project key pairs. Generated with node:crypto rather than `starkbank.key.create()`, which writes PEM
 * files into the current folder when called without a path.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'

export interface KeyPair {
  /** SEC1 PEM, the format the SDK requires. */
  privatePem: string
  /** SPKI PEM, the format Stark's web app and the emulator register. */
  publicPem: string
}

export function generateKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' })
  return {
    privatePem: privateKey.export({ type: 'sec1', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString()
  }
}

function loadSecp256k1(privatePem: string): KeyObject {
  let key: KeyObject
  try {
    key = createPrivateKey(privatePem)
  } catch {
    throw new Error(
      'The private key is not a PEM private key. Load the privateKey.pem file you registered with Stark.'
    )
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'secp256k1') {
    throw new Error('The private key must be an ECDSA secp256k1 key, as Stark requires.')
  }
  return key
}

/**
 * Checks a private key the user loaded and derives its public half. The error never quotes the key:
 * key material must not reach a log line or an error message.
 */
export function publicKeyOf(privatePem: string): string {
  return createPublicKey(loadSecp256k1(privatePem))
    .export({ type: 'spki', format: 'pem' })
    .toString()
}

/**
 * The SDK accepts only SEC1 PEM (`BEGIN EC PRIVATE KEY`); a secp256k1 key saved as PKCS8
 * (`BEGIN PRIVATE KEY`, what many tools write) is the same key, so it is converted, not refused.
 */
export function toSec1Pem(privatePem: string): string {
  return loadSecp256k1(privatePem).export({ type: 'sec1', format: 'pem' }).toString()
}
