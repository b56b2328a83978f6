/**
 * The load generator, run as a child process (see load.ts for why). It receives a job over IPC,
 * posts each delivery of the range once with `concurrency` keep-alive connections, one request at
 * a time on each (no pipelining), and sends back the status counts and the elapsed time of the
 * timed part.
 *
 * It speaks HTTP/1.1 over node:net with every request's bytes built before the clock starts, and
 * reads only the status line, Content-Length and Connection of each answer. node:http's client cost
 * about 0.25 ms of CPU per request on the project's 2-core machines, most of a signature check, and
 * that CPU is taken from the server being measured; this one costs about 0.05 ms.
 */
import { connect, type Socket } from 'node:net'
import type { LoadJob, LoadMessage, LoadResult } from './load'
import type { SignedDelivery } from './signed-events'

const HEADER_END = Buffer.from('\r\n\r\n')

/** One keep-alive connection; `request` sends a whole request and resolves with the status. */
class Connection {
  private socket: Socket | undefined
  private buffered: Buffer = Buffer.alloc(0)
  private waiting: { resolve: (status: number) => void; reject: (error: Error) => void } | undefined

  constructor(
    private readonly host: string,
    private readonly port: number
  ) {}

  request(bytes: Buffer): Promise<number> {
    const socket = this.socket ?? this.open()
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject }
      socket.write(bytes)
    })
  }

  close(): void {
    this.socket?.destroy()
    this.socket = undefined
  }

  private open(): Socket {
    const socket = connect(this.port, this.host)
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    const fail = (error: Error): void => {
      // A socket closed on purpose (or replaced) no longer owns the buffer or the waiting request.
      if (this.socket !== socket) return
      this.socket = undefined
      this.buffered = Buffer.alloc(0)
      const waiting = this.waiting
      this.waiting = undefined
      waiting?.reject(error)
    }
    socket.on('error', fail)
    socket.on('close', () => fail(new Error('the server closed the connection')))
    this.socket = socket
    return socket
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk])
    const end = this.buffered.indexOf(HEADER_END)
    if (end === -1) return
    const head = this.buffered.toString('latin1', 0, end)
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0)
    const total = end + HEADER_END.length + length
    if (this.buffered.length < total) return
    this.buffered = this.buffered.subarray(total)
    const status = Number(head.slice(9, 12))
    const waiting = this.waiting
    this.waiting = undefined
    if (/\r\nconnection:\s*close/i.test(head)) this.close()
    waiting?.resolve(status)
  }
}

function requestBytes(url: URL, body: string, signature: string): Buffer {
  const payload = Buffer.from(body)
  const head =
    `POST ${url.pathname}${url.search} HTTP/1.1\r\n` +
    `Host: ${url.host}\r\n` +
    'Content-Type: application/json\r\n' +
    `Content-Length: ${payload.length}\r\n` +
    'User-Agent: StarkBank-Webhook/bench\r\n' +
    `Digital-Signature: ${signature}\r\n\r\n`
  return Buffer.concat([Buffer.from(head, 'latin1'), payload])
}

let deliveries: SignedDelivery[] = []
/** Per target: the requests, built once, and the connections, kept across jobs. */
const targets = new Map<string, { requests: Buffer[]; connections: Connection[] }>()

function target(url: URL, concurrency: number): { requests: Buffer[]; connections: Connection[] } {
  let found = targets.get(url.href)
  if (!found) {
    found = {
      requests: deliveries.map((d) => requestBytes(url, d.body, d.signature)),
      connections: Array.from(
        { length: concurrency },
        () => new Connection(url.hostname, Number(url.port))
      )
    }
    targets.set(url.href, found)
  }
  return found
}

async function runLoad(job: LoadJob): Promise<LoadResult> {
  const url = new URL(job.url)
  const { requests, connections } = target(url, job.concurrency)
  const statuses: Record<string, number> = {}
  let errors = 0
  const drive = async (from: number, to: number, record: boolean): Promise<void> => {
    let next = from
    const worker = async (connection: Connection): Promise<void> => {
      while (next < to) {
        const i = next++
        try {
          const status = await connection.request(requests[i] as Buffer)
          if (record) statuses[status] = (statuses[status] ?? 0) + 1
        } catch {
          if (record) errors++
        }
      }
    }
    await Promise.all(connections.map(worker))
  }
  // Warm-up: sockets opened, JIT warm, the receiver's key fetched; not timed.
  await drive(job.from, job.from + job.warmup, false)
  const cpu = process.cpuUsage()
  const started = performance.now()
  await drive(job.from + job.warmup, job.to, true)
  const elapsedMs = performance.now() - started
  const used = process.cpuUsage(cpu)
  if (job.last) {
    for (const connection of connections) connection.close()
    targets.delete(url.href)
  }
  return { elapsedMs, statuses, errors, cpuMs: (used.user + used.system) / 1000 }
}

process.on('message', (message: LoadMessage) => {
  if (message.kind === 'load') {
    deliveries = message.deliveries
    targets.clear()
    process.send?.({ loaded: true })
    return
  }
  runLoad(message).then(
    (result) => process.send?.({ ok: true, result }),
    (error: unknown) => process.send?.({ ok: false, error: String(error) })
  )
})
process.send?.({ ready: true })
