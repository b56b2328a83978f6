/**
 * A local webhook endpoint for tests: records every POST exactly as it arrived (raw body, headers,
 * emulator time of arrival) and answers with a status the test can change at any moment.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Received {
  body: string
  headers: IncomingHttpHeaders
  /** Emulator time when the request arrived. */
  at: number
}

export interface WebhookReceiver {
  url: string
  received: Received[]
  /** Status answered to the next requests (default 200). */
  status: number
  /** Real-time delay before answering, to provoke delivery timeouts. */
  delayMs: number
  /** Holds every answer until this many requests have arrived (0: answer at once). */
  answerOnceReceived: number
  /** Resolves once `count` requests have arrived, or rejects after `timeoutMs` of real time. */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>
  close(): Promise<void>
}

export async function startWebhookReceiver(now: () => number): Promise<WebhookReceiver> {
  const waiters: { count: number; resolve: () => void }[] = []
  const receiver: WebhookReceiver = {
    url: '',
    received: [],
    status: 200,
    delayMs: 0,
    answerOnceReceived: 0,
    async waitFor(count, timeoutMs = 5000) {
      if (receiver.received.length < count) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () =>
              reject(new Error(`expected ${count} deliveries, got ${receiver.received.length}`)),
            timeoutMs
          )
          waiters.push({
            count,
            resolve: () => {
              clearTimeout(timer)
              resolve()
            }
          })
        })
      }
      return receiver.received
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
  const held: (() => void)[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      receiver.received.push({
        body: Buffer.concat(chunks).toString('utf8'),
        headers: req.headers,
        at: now()
      })
      for (const waiter of waiters.splice(0)) {
        if (receiver.received.length >= waiter.count) waiter.resolve()
        else waiters.push(waiter)
      }
      const status = receiver.status
      const answer = (): void => {
        res.writeHead(status, { 'Content-Type': 'text/plain' })
        res.end(status === 200 ? 'ok' : 'nope')
      }
      if (receiver.delayMs > 0) setTimeout(answer, receiver.delayMs)
      else if (receiver.received.length < receiver.answerOnceReceived) held.push(answer)
      else for (const release of [...held.splice(0), answer]) release()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stark/webhook`
  return receiver
}
