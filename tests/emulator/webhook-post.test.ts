/**
 * The emulator's webhook POSTs keep their connection between deliveries, and a kept connection the
 * receiver closed meanwhile never turns into a failed delivery: that POST goes again, once, on a
 * fresh connection.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { DeliveryTransport } from '../../src/main/emulator/webhook-post'

let server: Server | undefined
let transport: DeliveryTransport | undefined
afterEach(async () => {
  transport?.stop()
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined))
  server = transport = undefined
})

interface Receiver {
  url: string
  connections: number
  bodies: string[]
}

/** A receiver that answers 200; `dropReused` makes it cut a kept connection instead of answering. */
async function receiver(dropReused: boolean): Promise<Receiver> {
  const served = new WeakSet<Socket>()
  const r: Receiver = { url: '', connections: 0, bodies: [] }
  server = createServer((req: IncomingMessage, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => (body += chunk))
    req.on('end', () => {
      r.bodies.push(body)
      if (dropReused && served.has(req.socket)) {
        req.socket.destroy()
        return
      }
      served.add(req.socket)
      res.end('{}')
    })
  })
  server.on('connection', () => r.connections++)
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
  return r
}

describe('webhook POST connections', () => {
  it('When three deliveries go to one receiver, Then they share one connection', async () => {
    const r = await receiver(false)
    transport = new DeliveryTransport()

    const outcomes = []
    for (const body of ['{"a":1}', '{"a":2}', '{"a":3}'])
      outcomes.push(await transport.post(r.url, body, 'sig', 5_000))

    expect(outcomes).toEqual(Array(3).fill({ kind: 'status', status: 200 }))
    expect(r.bodies).toEqual(['{"a":1}', '{"a":2}', '{"a":3}'])
    expect(r.connections).toBe(1)
  })

  it('When the receiver cuts the kept connection instead of answering, Then the POST goes again on a fresh one and is answered', async () => {
    const r = await receiver(true)
    transport = new DeliveryTransport()

    const first = await transport.post(r.url, '{"a":1}', 'sig', 5_000)
    const second = await transport.post(r.url, '{"a":2}', 'sig', 5_000)

    expect([first, second]).toEqual([
      { kind: 'status', status: 200 },
      { kind: 'status', status: 200 }
    ])
    expect(r.bodies).toEqual(['{"a":1}', '{"a":2}', '{"a":2}'])
    expect(r.connections).toBe(2)
  })
})
