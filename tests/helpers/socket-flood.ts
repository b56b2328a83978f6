/**
 * A hostile client, run as its own process so that its buffers never count in the memory of the
 * server under test: `node --import tsx tests/helpers/socket-flood.ts PORT COUNT BODY_BYTES`.
 * It opens COUNT connections that send the head of an unauthenticated POST declaring twice
 * BODY_BYTES and then BODY_BYTES of it, and COUNT more that connect and send nothing. Every socket
 * then stays idle. When all are written it prints one JSON line `{"ready":true,...}`; on SIGUSR2 it
 * prints `{"open":N,"closedByServer":M}`. It never exits by itself: the test kills it.
 */
import { connect, type Socket } from 'node:net'

const [port, count, bodyBytes] = process.argv.slice(2).map(Number) as [number, number, number]

const sockets = new Set<Socket>()
let closedByServer = 0
let refused = 0

function open(): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.on('error', () => undefined)
    socket.on('data', () => undefined)
    socket.once('close', () => {
      if (sockets.delete(socket)) closedByServer++
    })
    socket.once('connect', () => {
      sockets.add(socket)
      resolve(socket)
    })
    socket.once('error', () => {
      refused++
      resolve(undefined)
    })
  })
}

function writeAll(socket: Socket, data: Buffer | string): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve()
    socket.write(data, () => resolve())
    socket.once('close', () => resolve())
  })
}

async function main(): Promise<void> {
  const head =
    `POST /v2/invoice HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${bodyBytes * 2}\r\n\r\n`
  const body = Buffer.alloc(bodyBytes, 'x')
  const batch = 50
  for (let i = 0; i < count; i += batch) {
    const opened = await Promise.all(
      Array.from({ length: Math.min(batch, count - i) }, () => open())
    )
    await Promise.all(
      opened.map(async (socket) => {
        if (!socket) return
        await writeAll(socket, head)
        await writeAll(socket, body)
      })
    )
  }
  for (let i = 0; i < count; i += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, count - i) }, () => open()))
  }
  process.stdout.write(
    `${JSON.stringify({ ready: true, open: sockets.size, closedByServer, refused })}\n`
  )
}

process.on('SIGUSR2', () => {
  process.stdout.write(`${JSON.stringify({ open: sockets.size, closedByServer, refused })}\n`)
})

// Keeps the process alive with every socket idle until the test kills it.
setInterval(() => undefined, 60_000)
main().catch((error: unknown) => {
  process.stderr.write(`socket-flood: ${String(error)}\n`)
  process.exit(1)
})
