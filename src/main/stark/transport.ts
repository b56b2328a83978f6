/**
 * The transport seam. The SDK hard-codes https://sandbox.api.starkbank.com but sends every request,
 * including event.parse's public-key fetch, through the agent given to `starkbank.setHttpsAgent`.
 * Choosing the emulator or the real sandbox therefore changes only this agent (and the credentials):
 * no other code knows which one it talks to.
 */
import type { ClientRequest } from 'node:http'
import { Agent } from 'node:https'
import { connect, type Socket } from 'node:net'
import { rootCertificates } from 'node:tls'

type CreateConnection = (
  options: unknown,
  callback?: (e: Error | null, s: Socket) => void
) => Socket

/**
 * The SDK passes no timeout to axios (`starkbank.timeout` is never used), so a connection that goes
 * silent would leave a transfer call pending forever. A socket idle this long is destroyed: the call
 * fails, the engine treats its outcome as unknown, looks it up, and retries.
 */
export const DEFAULT_SILENCE_MS = 60_000

function withSilenceLimit(agent: Agent, silenceMs: number, create?: CreateConnection): Agent {
  if (create) (agent as unknown as { createConnection: CreateConnection }).createConnection = create
  // Every request passes through addRequest on its way to a socket: the one place to time it.
  const internal = agent as unknown as {
    addRequest: (req: ClientRequest, options: unknown) => void
  }
  const addRequest = internal.addRequest.bind(agent)
  internal.addRequest = (req, options) => {
    req.setTimeout(silenceMs, () =>
      req.destroy(new Error(`Stark sent nothing for ${silenceMs / 1000} s; the call was abandoned`))
    )
    addRequest(req, options)
  }
  return agent
}

/** An https.Agent whose connections are plain TCP to a local emulator, whatever host the SDK names. */
export function emulatorAgent(emulatorUrl: string, silenceMs = DEFAULT_SILENCE_MS): Agent {
  const url = new URL(emulatorUrl)
  if (url.protocol !== 'http:')
    throw new Error(
      `The emulator URL must start with http://, got ${emulatorUrl}. Check --emulator-url.`
    )
  const port = Number(url.port || 80)
  const host = url.hostname
  // createConnection is the documented extension point; returning a plain socket skips TLS.
  return withSilenceLimit(new Agent({ keepAlive: true }), silenceMs, (_options, callback) => {
    const socket = connect(port, host)
    if (callback) {
      socket.once('connect', () => callback(null, socket))
      socket.once('error', (error) => callback(error, socket))
    }
    return socket
  })
}

/**
 * Test-only: sends the sandbox agent's connections to a loopback port (the emulator behind TLS with a
 * certificate for sandbox.api.starkbank.com) and adds one CA to the trusted roots. Certificate and
 * host-name checks stay on. No CLI flag, setting or environment variable reaches this parameter
 * (tests/secrets/sandbox-connection.test.ts checks that only tests pass it), and it accepts only
 * loopback, so it can never send sandbox traffic or credentials anywhere else.
 */
export interface SandboxTrustOverride {
  connectTo: { host: '127.0.0.1' | '::1'; port: number }
  /** PEM of an extra CA to trust besides the system's roots. */
  extraCa?: string
}

/** The agent for the real sandbox: real TLS, certificate checks on. */
export function sandboxAgent(
  silenceMs = DEFAULT_SILENCE_MS,
  testTrust?: SandboxTrustOverride
): Agent {
  if (testTrust && !['127.0.0.1', '::1'].includes(testTrust.connectTo.host)) {
    throw new Error('the sandbox trust override connects to loopback only')
  }
  const agent = new Agent({
    keepAlive: true,
    ...(testTrust?.extraCa ? { ca: [...rootCertificates, testTrust.extraCa] } : {})
  })
  const tls = (agent as unknown as { createConnection: CreateConnection }).createConnection.bind(
    agent
  )
  if (!testTrust) return withSilenceLimit(agent, silenceMs, tls)
  const { host, port } = testTrust.connectTo
  return withSilenceLimit(agent, silenceMs, (options, callback) => {
    const original = options as { host?: string; servername?: string }
    // The certificate is still checked against the name the SDK asked for, not the loopback address.
    const servername = original.servername || original.host
    return tls({ ...(options as object), host, port, servername }, callback)
  })
}
