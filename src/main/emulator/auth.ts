/**
 * Checks a request the way Stark does: `Access-Signature` is ECDSA secp256k1 / SHA-256 / DER / base64
 * over `accessId:accessTime:body`, made with the private key of the project named in `Access-Id`.
 * Access-Time is compared with the wall clock, not the emulator's accelerated clock, because the SDK
 * stamps it from the caller's real time.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { StarkError } from './errors'
import type { Project } from './types'

const SIGNATURE_MISMATCH =
  'Provided digital signature in the header Access-Signature does not check out. See https://docs.api.starkbank.com/#auth for details.'

const invalid = (message: string): StarkError => StarkError.of('invalidCredentials', message)

/** A request whose head passed the checks; its signature is verified once the body is read. */
export interface PendingAuth {
  accessId: string
  accessTime: string
  signature: string
  project: Project
}

export class Authenticator {
  private readonly keys = new Map<string, KeyObject>()

  constructor(
    private readonly projects: () => Record<string, Project>,
    private readonly wallClockMs: () => number,
    private readonly toleranceSeconds: () => number
  ) {}

  /** Returns the caller's access id, or throws `invalidCredentials`. */
  check(headers: IncomingHttpHeaders, rawBody: string): string {
    return this.verify(this.precheck(headers), rawBody)
  }

  /**
   * Everything that can be checked from the request head: the headers are there, the project is
   * known and Access-Time is near. A request that fails here is refused before its body is read.
   */
  precheck(headers: IncomingHttpHeaders): PendingAuth {
    const accessId = header(headers, 'access-id')
    const accessTime = header(headers, 'access-time')
    const signature = header(headers, 'access-signature')
    if (!accessId || !accessTime || !signature) {
      throw invalid(
        'Access-Id, Access-Time and Access-Signature headers are required. See https://docs.api.starkbank.com/#auth for details.'
      )
    }
    const match = /^project\/(\d+)$/.exec(accessId)
    const project = match ? this.projects()[match[1] as string] : undefined
    if (!project)
      throw invalid(`Unknown Access-Id ${accessId}. Register the project's public key first.`)

    const seconds = Number(accessTime)
    const skew = Math.abs(this.wallClockMs() / 1000 - seconds)
    if (!Number.isFinite(seconds) || skew > this.toleranceSeconds()) {
      throw invalid(
        `Access-Time ${accessTime} is too far from the server time. Check your computer's clock.`
      )
    }
    return { accessId, accessTime, signature, project }
  }

  /** Checks the signature over the body; returns the caller's access id. */
  verify(pending: PendingAuth, rawBody: string): string {
    const { accessId, accessTime, signature, project } = pending
    const message = Buffer.from(`${accessId}:${accessTime}:${rawBody}`, 'utf8')
    let ok = false
    try {
      ok = verify('sha256', message, this.key(project), Buffer.from(signature, 'base64'))
    } catch {
      ok = false
    }
    if (!ok) throw invalid(SIGNATURE_MISMATCH)
    return accessId
  }

  private key(project: Project): KeyObject {
    let key = this.keys.get(project.id)
    if (!key) {
      key = createPublicKey(project.publicKey)
      this.keys.set(project.id, key)
    }
    return key
  }
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** Throws unless `pem` is an SPKI secp256k1 public key, the only kind the SDK signs with. */
export function assertSecp256k1PublicKey(pem: unknown): string {
  if (typeof pem !== 'string')
    throw StarkError.of('invalidPublicKey', 'publicKey must be a PEM string')
  let key: KeyObject
  try {
    key = createPublicKey(pem)
  } catch {
    throw StarkError.of('invalidPublicKey', 'publicKey is not a valid PEM public key')
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'secp256k1') {
    throw StarkError.of('invalidPublicKey', 'publicKey must be an ECDSA secp256k1 key')
  }
  return key.export({ type: 'spki', format: 'pem' }).toString()
}
