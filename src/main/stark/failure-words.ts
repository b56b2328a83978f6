/**
 * Says a failed Stark call in the user's words. The SDK throws three shapes (shared/stark-api.md
 * §1.3): starkcore's InputErrors for a 400 (`errors: [{code, message}]`, and a `.message` that is the
 * raw JSON body: never shown), InternalServerError for a 500, and the raw axios error for anything
 * else, network and TLS failures included (Node's code on the error or its cause).
 */
export type FailureKind =
  /** Stark did not accept the key for this project id. */
  | 'credentials'
  /** The project may not do this (a permission missing in Stark's web console). */
  | 'permission'
  /** Stark refused the request itself (a 400 that is neither of the above). */
  | 'refused'
  /** No route to Stark: no network, DNS, refused or cut connections. */
  | 'network'
  /** The secure connection could not be verified. */
  | 'tls'
  /** Stark went silent. */
  | 'timeout'
  /** A 5xx: Stark's side. */
  | 'stark'
  | 'unknown'

export interface FailureDescription {
  kind: FailureKind
  message: string
}

const HOST = 'sandbox.api.starkbank.com'

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'EPIPE',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ERR_NETWORK'
])

const TLS_CODE =
  /^(CERT_|UNABLE_TO_|SELF_SIGNED_|DEPTH_ZERO_|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH|INVALID_CA)/

/** Node's error code, looked for on the error and down its `cause` chain. */
function codeOf(error: unknown): string | undefined {
  for (
    let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 5;
    depth++
  ) {
    if (typeof e.code === 'string' && e.code !== 'ERR_BAD_RESPONSE' && e.code !== 'ERR_BAD_REQUEST')
      return e.code
    e = e.cause as typeof e
  }
  return undefined
}

const clip = (text: unknown): string =>
  String(text ?? '')
    .replace(/\s+/g, ' ')
    .slice(0, 200)

/**
 * `action` completes "while …" (e.g. "reading the balance"); `context` names the project and key so
 * that a credentials failure can say which.
 */
export function describeStarkFailure(
  error: unknown,
  action: string,
  context: { projectId?: string; fingerprint?: string } = {}
): FailureDescription {
  const e = error as {
    status?: number
    errors?: { code?: string; message?: string }[]
    response?: { status?: number }
    message?: string
  }
  const status = e?.status ?? e?.response?.status
  const first = Array.isArray(e?.errors) ? e.errors[0] : undefined
  const project = context.projectId ? `project ${context.projectId}` : 'this project'
  if (first?.code === 'invalidCredentials' || first?.code === 'invalidAccessId') {
    return {
      kind: 'credentials',
      message:
        `Stark did not accept the key for ${project}: either the project id is wrong, or the ` +
        'public key registered for that project in Stark’s web console is not this key’s' +
        `${context.fingerprint ? ` (fingerprint ${context.fingerprint})` : ''}. Paste this key’s ` +
        'public key into the project, or load the private key that belongs to it.'
    }
  }
  if (first?.code && /permission|forbidden|unauthori[sz]ed|notallowed|denied/i.test(first.code)) {
    return {
      kind: 'permission',
      message:
        `Stark refused ${action} for ${project} (${clip(first.code)}: ${clip(first.message)}). ` +
        'Give the project the permissions it needs (invoices, transfers, webhooks, balance) in ' +
        'Stark’s web console.'
    }
  }
  if (first?.code) {
    return {
      kind: 'refused',
      message: `Stark refused ${action} (${clip(first.code)}: ${clip(first.message)}).`
    }
  }
  if (status === 401 || status === 403) {
    return {
      kind: 'permission',
      message:
        `Stark answered ${status} (not allowed) while ${action} for ${project}. Check in Stark’s ` +
        'web console that the project may use invoices, transfers, webhooks and the balance.'
    }
  }
  if (typeof status === 'number' && status >= 500) {
    return {
      kind: 'stark',
      message: `Stark answered ${status} while ${action}: a problem on Stark’s side. Try again in a few minutes.`
    }
  }
  const code = codeOf(error)
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return {
      kind: 'network',
      message: `Cannot reach ${HOST}: its name does not resolve (no network, or DNS is down). Check the connection and try again.`
    }
  }
  if (code && TLS_CODE.test(code)) {
    return {
      kind: 'tls',
      message:
        `The secure connection to ${HOST} could not be verified (${code}). A proxy or antivirus ` +
        'may be intercepting HTTPS, or the system’s certificates or clock are wrong.'
    }
  }
  if (code && NETWORK_CODES.has(code)) {
    return {
      kind: 'network',
      message: `Cannot reach ${HOST} (${code}) while ${action}: no network, or a firewall blocks it. Check the connection and try again.`
    }
  }
  if (/Stark sent nothing for/.test(String(e?.message))) {
    return {
      kind: 'timeout',
      message: `Stark sent nothing for too long while ${action}. Check the connection and try again.`
    }
  }
  if (typeof status === 'number') {
    return { kind: 'unknown', message: `Stark answered HTTP ${status} while ${action}.` }
  }
  // A bug or an unforeseen shape: its first line only (never a dump of a body).
  return {
    kind: 'unknown',
    message: `Unexpected failure while ${action}: ${clip(String(e?.message).split('\n')[0]).slice(0, 120)}`
  }
}
