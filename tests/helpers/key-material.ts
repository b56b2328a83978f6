/**
 * Key files of every kind a user might load, made fresh with node:crypto, and a search for private
 * key material in anything the code let out (log lines, errors, returned values, files).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'

export interface KeySample {
  /** What the file is, for test names. */
  kind: string
  text: string
  /** The private key it holds, if any: what must never leak. */
  privateKey?: KeyObject
}

const pem = (key: KeyObject, type: 'sec1' | 'pkcs8' | 'pkcs1', extra: object = {}): string =>
  key.export({ type, format: 'pem', ...extra } as never).toString()

export function acceptedSamples(): KeySample[] {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' })
  const sec1 = pem(privateKey, 'sec1')
  return [
    { kind: 'SEC1 secp256k1', text: sec1, privateKey },
    { kind: 'PKCS#8 secp256k1', text: pem(privateKey, 'pkcs8'), privateKey },
    {
      kind: 'SEC1 pasted with CRLF and indentation',
      text: sec1.replace(/\n/g, '\r\n  '),
      privateKey
    },
    { kind: 'SEC1 with a byte-order mark', text: `\uFEFF${sec1}`, privateKey }
  ]
}

export function refusedSamples(): (KeySample & { says: RegExp })[] {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey
  const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey
  const ed = generateKeyPairSync('ed25519').privateKey
  const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' })
  const secret = { cipher: 'aes-256-cbc', passphrase: 'correct horse' }
  const sec1 = pem(k1.privateKey, 'sec1')
  const body = sec1.split('\n')
  return [
    { kind: 'RSA (PKCS#1)', text: pem(rsa, 'pkcs1'), privateKey: rsa, says: /RSA key.*secp256k1/ },
    { kind: 'RSA (PKCS#8)', text: pem(rsa, 'pkcs8'), privateKey: rsa, says: /RSA key.*secp256k1/ },
    { kind: 'P-256 SEC1', text: pem(p256, 'sec1'), privateKey: p256, says: /P-256.*secp256k1/ },
    { kind: 'P-256 PKCS#8', text: pem(p256, 'pkcs8'), privateKey: p256, says: /P-256.*secp256k1/ },
    { kind: 'Ed25519', text: pem(ed, 'pkcs8'), privateKey: ed, says: /ED25519 key.*secp256k1/ },
    {
      kind: 'a public key',
      text: k1.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      says: /public key, not a private key/
    },
    {
      kind: 'encrypted PKCS#8',
      text: pem(k1.privateKey, 'pkcs8', secret),
      privateKey: k1.privateKey,
      says: /passphrase/
    },
    {
      kind: 'encrypted SEC1',
      text: pem(k1.privateKey, 'sec1', secret),
      privateKey: k1.privateKey,
      says: /passphrase/
    },
    {
      kind: 'a certificate',
      text: '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n',
      says: /certificate, not a private key/
    },
    { kind: 'garbage', text: 'hello, this is my key: 1234', says: /not a PEM private key/ },
    { kind: 'empty text', text: '', says: /not a PEM private key/ },
    {
      kind: 'a truncated key',
      text: [...body.slice(0, 2), body.at(-2)].join('\n'),
      privateKey: k1.privateKey,
      says: /damaged or incomplete/
    },
    {
      kind: 'two keys in one text',
      text: sec1 + pem(generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey, 'sec1'),
      privateKey: k1.privateKey,
      says: /more than one private key/
    }
  ]
}

/**
 * Substrings that identify a private key: base64 windows of its PEM bodies, and its scalar. SEC1 and
 * PKCS#8 bodies also carry the public point, which may be shown: windows found in the public key's
 * own base64 are left out.
 */
export function materialOf(key: KeyObject | string): string[] {
  const object = typeof key === 'string' ? createPrivateKey(key) : key
  const publicB64 = createPublicKey(object)
    .export({ type: 'spki', format: 'der' })
    .toString('base64')
  const out: string[] = []
  const bodies = (['sec1', 'pkcs8'] as const)
    .filter((type) => type === 'pkcs8' || object.asymmetricKeyType === 'ec')
    .map((type) =>
      pem(object, type)
        .split('\n')
        .filter((line) => line && !line.startsWith('-----'))
        .join('')
    )
  for (const b64 of bodies) {
    for (let i = 0; i + 20 <= b64.length; i += 10) {
      const piece = b64.slice(i, i + 20)
      if (!publicB64.includes(piece)) out.push(piece)
    }
  }
  const jwk = object.export({ format: 'jwk' }) as { d?: string }
  if (jwk.d) {
    out.push(jwk.d.slice(0, 20), Buffer.from(jwk.d, 'base64url').toString('hex').slice(0, 24))
  }
  return out
}

/** The first piece of private key material found in `haystack`, or undefined. */
export function findLeak(haystack: string, key: KeyObject | string): string | undefined {
  return materialOf(key).find((piece) => haystack.includes(piece))
}

/** Collects log lines the way a Logger receives them. */
export function recordingLogger(): {
  lines: string[]
  info(m: string): void
  warn(m: string): void
  error(m: string): void
} {
  const lines: string[] = []
  return {
    lines,
    info: (m) => void lines.push(`info ${m}`),
    warn: (m) => void lines.push(`warn ${m}`),
    error: (m) => void lines.push(`error ${m}`)
  }
}
