/**
 * The transport seam. The SDK hard-codes https://sandbox.api.starkbank.com but sends every request,
 * including event.parse's public-key fetch, through the agent given to `starkbank.setHttpsAgent`.
 * Choosing the emulator or the real sandbox therefore changes only this agent (and the credentials):
 * no other code knows which one it talks to.
 */
import type { ClientRequest } from 'node:http'
import { Agent } from 'node:https'
import { connect, type Socket } from 'node:net'

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

/** The agent for the real sandbox: real TLS, certificate checks on. */
export function sandboxAgent(silenceMs = DEFAULT_SILENCE_MS): Agent {
  const agent = new Agent({ keepAlive: true })
  const tls = (agent as unknown as { createConnection: CreateConnection }).createConnection.bind(
    agent
  )
  return withSilenceLimit(agent, silenceMs, tls)
}
