/**
 * A raw client of the browser dashboard's socket, for tests: it can send any headers and any
 * frame, and it records every frame the host sends.
 */
import WebSocket from 'ws'
import type { HostFrame } from '../../src/shared/dashboard-protocol'
import type { Result } from '../../src/shared/contract'

export interface RawSocket {
  ws: WebSocket
  frames: HostFrame[]
  /** Text of every frame received, exactly as it arrived. */
  raw: string[]
  closed: Promise<{ code: number; reason: string }>
  send(frame: unknown): void
  call(op: string, args?: unknown[]): Promise<Result<unknown>>
  close(): void
}

export async function openSocket(
  port: number,
  headers: Record<string, string> = {},
  path = '/ws'
): Promise<RawSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers })
  const frames: HostFrame[] = []
  const raw: string[] = []
  const waiting = new Map<number, (r: Result<unknown>) => void>()
  let nextId = 1
  ws.on('message', (data) => {
    const text = String(data)
    raw.push(text)
    const frame = JSON.parse(text) as HostFrame
    frames.push(frame)
    if (frame.t === 'result') waiting.get(frame.id)?.(frame.result)
  })
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason) }))
  )
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
    ws.once('unexpected-response', (_req, res) =>
      reject(
        Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })
      )
    )
  })
  const send = (frame: unknown): void => ws.send(JSON.stringify(frame))
  return {
    ws,
    frames,
    raw,
    closed,
    send,
    call(op, args = []) {
      const id = nextId++
      return new Promise((resolve) => {
        waiting.set(id, resolve)
        send({ t: 'call', id, op, args })
      })
    },
    close: () => ws.close()
  }
}

/** Opens a socket and says hello with `token`; resolves once welcomed. */
export async function helloSocket(port: number, token: string): Promise<RawSocket> {
  const socket = await openSocket(port, { Origin: `http://127.0.0.1:${port}` })
  socket.send({ t: 'hello', token })
  const end = performance.now() + 5_000
  while (!socket.frames.some((f) => f.t === 'welcome')) {
    if (performance.now() > end) throw new Error('no welcome')
    await new Promise((r) => setTimeout(r, 5))
  }
  return socket
}
