/**
 * Project key pairs: generated here, or loaded from a file or a paste, validated, and described by
 * their public half only. Generated with node:crypto rather than `starkbank.key.create()`, which writes
 * PEM files into the current folder when called without a path.
 *
 * Security: no error or returned value ever quotes the private key. Messages name the kind of thing
 * found (an RSA key, a P-256 key, a public key, an encrypted file) and what to load instead; the
 * underlying crypto error is dropped because OpenSSL's text can echo parts of its input.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject
} from 'node:crypto'
import { open } from 'node:fs/promises'
import { AppError } from '../../shared/errors'

export interface KeyPair {
  /** SEC1 PEM, the format the SDK requires. */
  privatePem: string
  /** SPKI PEM, the format Stark's web app and the emulator register. */
  publicPem: string
}

/** A validated private key and everything that may be shown about it. */
export interface ValidatedKey {
  /** SEC1 PEM (`BEGIN EC PRIVATE KEY`), what `starkbank.Project` accepts. Main process only. */
  sec1Pem: string
  /** SPKI PEM to paste into Stark's web console. Safe to show. */
  publicPem: string
  /** Short SHA-256 of the public key's SPKI DER. Safe to show; identifies the pair. */
  fingerprint: string
}

/** A real key file is under 1 KiB; anything far larger is not one, and is not read whole. */
export const MAX_KEY_FILE_BYTES = 16 * 1024

export function generateKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' })
  return {
    privatePem: privateKey.export({ type: 'sec1', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString()
  }
}

const refused = (message: string): AppError => new AppError('refused', message)

const CURVE_NAMES: Record<string, string> = {
  prime256v1: 'P-256 (prime256v1)',
  secp384r1: 'P-384 (secp384r1)',
  secp521r1: 'P-521 (secp521r1)'
}

/** Says what the text is before asking OpenSSL, so that each wrong kind gets its own message. */
function refuseByLabel(text: string): void {
  const labels = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map((m) => m[1] as string)
  if (labels.length === 0) {
    throw refused(
      'This is not a PEM private key (it has no BEGIN line). Load the ' +
        'privateKey.pem file of your Stark project, or generate a new key here.'
    )
  }
  if (labels.includes('ENCRYPTED PRIVATE KEY') || /Proc-Type:\s*4,ENCRYPTED/i.test(text)) {
    throw refused(
      'This private key is protected by a passphrase, which the Stark SDK cannot use. Export it ' +
        'without one (openssl ec -in key.pem -out plain-key.pem) and load that file.'
    )
  }
  const privateLabels = labels.filter((l) => /PRIVATE KEY$/.test(l))
  if (privateLabels.length === 0) {
    const what = labels.some((l) => l.includes('PUBLIC KEY'))
      ? 'a public key'
      : labels.includes('CERTIFICATE')
        ? 'a certificate'
        : `a "${labels[0]}" block`
    throw refused(
      `This is ${what}, not a private key. Load the private half (privateKey.pem); the public ` +
        'half is what you paste into Stark’s web console.'
    )
  }
  if (privateLabels.length > 1) {
    throw refused('This text holds more than one private key. Load a file with exactly one.')
  }
  if (privateLabels[0] === 'RSA PRIVATE KEY') throw refused(wrongKind('an RSA key'))
}

function wrongKind(found: string): string {
  return (
    `This is ${found}; Stark signs with ECDSA keys on the secp256k1 curve only. Generate a ` +
    'secp256k1 key here (or with openssl ecparam -name secp256k1 -genkey) and register its ' +
    'public key in Stark’s web console.'
  )
}

function loadSecp256k1(input: string): KeyObject {
  // Pasted text may carry Windows line ends, indentation or a BOM; PEM parsing wants plain lines.
  const text = input
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .trim()
  refuseByLabel(text)
  let key: KeyObject
  try {
    key = createPrivateKey({ key: text, format: 'pem' })
  } catch {
    throw refused(
      'This is not a PEM private key that can be read: the text is damaged or incomplete. Load the ' +
        'privateKey.pem file again, or copy the whole text including the BEGIN and END lines.'
    )
  }
  if (key.asymmetricKeyType !== 'ec') {
    throw refused(wrongKind(`an ${String(key.asymmetricKeyType).toUpperCase()} key`))
  }
  const curve = key.asymmetricKeyDetails?.namedCurve ?? 'unknown'
  if (curve !== 'secp256k1') {
    throw refused(wrongKind(`an ECDSA key on the ${CURVE_NAMES[curve] ?? curve} curve`))
  }
  return key
}

/** `ab:cd:...`, 8 bytes of SHA-256 over the SPKI DER: enough to tell keys apart at a glance. */
export function fingerprintOf(publicKey: KeyObject | string): string {
  const object = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey
  // A private KeyObject cannot be passed to createPublicKey; its public half can be exported.
  const der = (object.type === 'private' ? createPublicKey(object) : object).export({
    type: 'spki',
    format: 'der'
  })
  const hex = createHash('sha256').update(der).digest('hex').slice(0, 16)
  return hex.match(/../g)?.join(':') ?? hex
}

/**
 * Validates a private key given as PEM text (PKCS#8 `BEGIN PRIVATE KEY` or SEC1 `BEGIN EC PRIVATE
 * KEY`) and returns the SEC1 form the SDK needs, the public key and the fingerprint. Throws
 * `AppError('refused')` with a message fit for the user for every other kind of input.
 */
export function validatePrivateKey(pem: string): ValidatedKey {
  if (typeof pem !== 'string' || pem.length > MAX_KEY_FILE_BYTES) {
    throw refused(
      'This is not a private key file (a key is well under 1 KiB of text). Load privateKey.pem.'
    )
  }
  const key = loadSecp256k1(pem)
  const publicKey = createPublicKey(key)
  return {
    sec1Pem: key.export({ type: 'sec1', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    fingerprint: fingerprintOf(publicKey)
  }
}

/**
 * Reads and validates a key file. A binary (DER) file, a huge file or a missing one each get their
 * own message; the file's content never appears in one.
 */
export async function readKeyFile(path: string): Promise<ValidatedKey> {
  let bytes: Buffer
  try {
    const file = await open(path, 'r')
    try {
      const buffer = Buffer.alloc(MAX_KEY_FILE_BYTES + 1)
      const { bytesRead } = await file.read(buffer, 0, buffer.length, 0)
      bytes = buffer.subarray(0, bytesRead)
    } finally {
      await file.close()
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why =
      code === 'ENOENT'
        ? 'there is no file there'
        : code === 'EISDIR'
          ? 'it is a folder'
          : code === 'EACCES' || code === 'EPERM'
            ? 'this user may not read it'
            : `it could not be read (${code ?? 'unknown error'})`
    throw refused(`The key file ${path} cannot be used: ${why}. Choose the privateKey.pem file.`)
  }
  if (bytes.length > MAX_KEY_FILE_BYTES) {
    throw refused(`${path} is too large to be a key file. Choose the privateKey.pem file.`)
  }
  // PEM is plain ASCII; a key saved as DER (or any binary) is not.
  const ascii =
    bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes
  const printable = (b: number): boolean => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127)
  if (!ascii.every(printable)) {
    throw refused(
      `${path} is a binary file, not PEM text (a DER key?). Convert it to PEM (openssl ec -inform der -in key.der ` +
        '-out key.pem) and load the PEM file.'
    )
  }
  return validatePrivateKey(ascii.toString('ascii'))
}

/**
 * Checks a private key the user loaded and derives its public half. The error never quotes the key:
 * key material must not reach a log line or an error message.
 */
export function publicKeyOf(privatePem: string): string {
  return validatePrivateKey(privatePem).publicPem
}

/**
 * The SDK accepts only SEC1 PEM (`BEGIN EC PRIVATE KEY`); a secp256k1 key saved as PKCS8
 * (`BEGIN PRIVATE KEY`, what many tools write) is the same key, so it is converted, not refused.
 */
export function toSec1Pem(privatePem: string): string {
  return validatePrivateKey(privatePem).sec1Pem
}
