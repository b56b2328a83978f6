/**
 * The transport seam. The SDK hard-codes https://sandbox.api.starkbank.com but sends every request,
 * including event.parse's public-key fetch, through the agent given to `starkbank.setHttpsAgent`.
 * Choosing the emulator or the real sandbox therefore changes only this agent (and the credentials):
 * no other code knows which one it talks to.
 */
import { Agent } from 'node:https'
import { connect, type Socket } from 'node:net'

/** An https.Agent whose connections are plain TCP to a local emulator, whatever host the SDK names. */
export function emulatorAgent(emulatorUrl: string): Agent {
  const url = new URL(emulatorUrl)
  if (url.protocol !== 'http:')
    throw new Error(`the emulator URL must be http://, got ${emulatorUrl}`)
  const port = Number(url.port || 80)
  const host = url.hostname
  const agent = new Agent({ keepAlive: true })
  // createConnection is the documented extension point; returning a plain socket skips TLS.
  ;(
    agent as unknown as {
      createConnection: (o: unknown, cb?: (e: Error | null, s: Socket) => void) => Socket
    }
  ).createConnection = (_options, callback) => {
    const socket = connect(port, host)
    if (callback) {
      socket.once('connect', () => callback(null, socket))
      socket.once('error', (error) => callback(error, socket))
    }
    return socket
  }
  return agent
}

/** The default agent for the real sandbox: real TLS, certificate checks on. */
export function sandboxAgent(): Agent {
  return new Agent({ keepAlive: true })
}
