/**
 * A cap on the emulator's open connections that keeps serving real clients while it holds.
 *
 * Node's own `server.maxConnections` drops the newest connection at the cap, so a few hundred idle
 * sockets would lock every genuine client out (the webhook server's finding). Here a new connection
 * at the cap closes someone else instead, least useful first: the oldest connection that never
 * completed a request head (idle or slow sockets), then the oldest idle keep-alive connection.
 * Only when every connection is busy with a request is the newcomer itself closed. Each closed
 * socket costs its owner a reconnect, never an answer already being worked on.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

interface Usage {
  /** Requests whose head arrived on this socket. */
  requests: number
  /** Of those, the ones not answered yet. */
  active: number
}

export interface ConnectionCap {
  readonly max: number
  /** Connections open now. */
  open(): number
  /** Connections closed to make room since the start. */
  evicted(): number
}

export function capConnections(server: Server, max: number): ConnectionCap {
  const sockets = new Map<Socket, Usage>()
  let evicted = 0

  const victim = (newcomer: Socket): Socket => {
    let idleKeepAlive: Socket | undefined
    // Map iteration follows insertion order: oldest first.
    for (const [socket, usage] of sockets) {
      if (socket === newcomer || usage.active > 0) continue
      if (usage.requests === 0) return socket
      idleKeepAlive ??= socket
    }
    return idleKeepAlive ?? newcomer
  }

  server.on('connection', (socket: Socket) => {
    sockets.set(socket, { requests: 0, active: 0 })
    socket.once('close', () => sockets.delete(socket))
    if (sockets.size <= max) return
    const chosen = victim(socket)
    sockets.delete(chosen)
    evicted++
    chosen.destroy()
  })

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const usage = sockets.get(req.socket)
    if (!usage) return
    usage.requests++
    usage.active++
    res.once('close', () => usage.active--)
  })

  return { max, open: () => sockets.size, evicted: () => evicted }
}
