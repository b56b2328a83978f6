/**
 * HTTP written by hand on a TCP socket, for senders no HTTP client lets you be: a request head with
 * no body behind it, a body that never ends, a declared length that never arrives.
 */
import { connect, type Socket } from 'node:net'

export interface RawAnswer {
  status: number
  headers: Record<string, string>
  body: unknown
  text: string
}

/** Opens a connection to 127.0.0.1:`port` and resolves once it is connected. */
export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.off('error', reject)
      resolve(socket)
    })
    socket.once('error', reject)
  })
}

/** The request line and headers, ending with the blank line; no body. */
export function requestHead(
  method: string,
  path: string,
  headers: Record<string, string | number>
): string {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`)
  return `${method} ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`
}

/**
 * Resolves with the first response read from `socket` (head and a Content-Length body), or rejects
 * when the socket ends or fails before a whole response came.
 */
export function readAnswer(socket: Socket): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let buffer = Buffer.alloc(0)
    const done = (): void => {
      socket.off('data', onData)
      socket.off('end', onEnd)
      socket.off('error', onEnd)
    }
    const onData = (chunk: Buffer): void => {
      buffer = Buffer.concat([buffer, chunk])
      const split = buffer.indexOf('\r\n\r\n')
      if (split < 0) return
      const [statusLine, ...lines] = buffer.subarray(0, split).toString('latin1').split('\r\n')
      const headers: Record<string, string> = {}
      for (const line of lines) {
        const colon = line.indexOf(':')
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
      }
      const length = Number(headers['content-length'] ?? 0)
      const rest = buffer.subarray(split + 4)
      if (rest.length < length) return
      done()
      const text = rest.subarray(0, length).toString('utf8')
      let body: unknown
      try {
        body = JSON.parse(text)
      } catch {
        body = undefined
      }
      resolve({ status: Number(statusLine?.split(' ')[1]), headers, body, text })
    }
    const onEnd = (error?: Error): void => {
      done()
      reject(error ?? new Error('the server closed the connection without a whole answer'))
    }
    socket.on('data', onData)
    socket.once('end', onEnd)
    socket.once('error', onEnd)
  })
}

/** Resolves when the server has closed `socket` (end or reset). */
export function closedByServer(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed || socket.readableEnded) return resolve()
    socket.once('close', () => resolve())
    socket.resume()
  })
}
