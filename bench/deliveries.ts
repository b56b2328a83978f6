/**
 * Part 1: signed deliveries per second. The same signed bodies go through (a) a bare crypto.verify
 * loop, (b) the engine's real webhook server (path secret, raw-byte verification, journal entry
 * durable before the 200) and (c) a minimal node:http handler built on `starkbank.event.parse`.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { startBenchEnv } from './env'
import type { LoadClient, LoadResult } from './load'
import { signedDeliveries, type SignedDelivery } from './signed-events'

export interface DeliveryOptions {
  /** Timed requests to the webhook server (and verifications in the raw loop). */
  requests: number
  /** Timed requests to the event.parse handler (it is about 6x slower, so fewer suffice). */
  parseRequests: number
  /** Untimed requests first (the event.parse handler gets at most 200 of them: it is slow). */
  warmup: number
  concurrency: number
  /**
   * The three measurements alternate in this many rounds, so that a change in the machine's
   * background load during the run weighs on all three alike and the ratios stay fair.
   */
  rounds: number
}

interface Tally {
  count: number
  ok: number
  elapsedMs: number
  statuses: Record<string, number>
  errors: number
  /** Rate of each round, to show the spread. */
  roundRates: number[]
  /** CPU time of this process (receiver, thread pool included) and of the load client. */
  cpuMs: number
  clientCpuMs: number
}

export interface Figure {
  count: number
  ok: number
  perSecond: number
  elapsedMs: number
  roundRates: number[]
  /**
   * CPU time per answered request (or verification) in the receiving process: unlike the rates,
   * hardly affected by other processes on the machine.
   */
  cpuMsEach: number
}

export interface HttpFigure extends Figure {
  statuses: Record<string, number>
  errors: number
  /** CPU time per request of the load client (the other process). */
  clientCpuMsEach: number
}

export interface DeliveryFigures {
  options: DeliveryOptions
  bodyBytes: number
  rawVerify: Figure
  server: HttpFigure & {
    /** Every delivery the server was sent, warm-up included, and how many the journal file holds. */
    sent: number
    journaledOnDisk: number
  }
  parse: HttpFigure
}

const newTally = (): Tally => ({
  count: 0,
  ok: 0,
  elapsedMs: 0,
  statuses: {},
  errors: 0,
  roundRates: [],
  cpuMs: 0,
  clientCpuMs: 0
})

interface Timed<T> {
  value: T
  elapsedMs: number
  cpuMs: number
}

async function timed<T>(work: () => T | Promise<T>): Promise<Timed<T>> {
  const cpu = process.cpuUsage()
  const started = performance.now()
  const value = await work()
  const elapsedMs = performance.now() - started
  const used = process.cpuUsage(cpu)
  return { value, elapsedMs, cpuMs: (used.user + used.system) / 1000 }
}

function add(tally: Tally, count: number, ok: number, elapsedMs: number, cpuMs: number): void {
  tally.count += count
  tally.ok += ok
  tally.elapsedMs += elapsedMs
  tally.cpuMs += cpuMs
  tally.roundRates.push(Math.round(ok / (elapsedMs / 1000)))
}

/** The rate counts the client's own clock (first request sent to last answer read). */
function addLoad(tally: Tally, run: Timed<LoadResult>, count: number): void {
  const result = run.value
  add(tally, count, result.statuses['200'] ?? 0, result.elapsedMs, run.cpuMs)
  tally.clientCpuMs += result.cpuMs
  for (const [status, n] of Object.entries(result.statuses))
    tally.statuses[status] = (tally.statuses[status] ?? 0) + n
  tally.errors += result.errors
}

function figure(tally: Tally): Figure {
  return {
    count: tally.count,
    ok: tally.ok,
    perSecond: tally.ok / (tally.elapsedMs / 1000),
    elapsedMs: tally.elapsedMs,
    roundRates: tally.roundRates,
    cpuMsEach: tally.cpuMs / Math.max(1, tally.ok)
  }
}

function httpFigure(tally: Tally): HttpFigure {
  return {
    ...figure(tally),
    statuses: tally.statuses,
    errors: tally.errors,
    clientCpuMsEach: tally.clientCpuMs / Math.max(1, tally.ok)
  }
}

interface RawItem {
  body: Buffer
  signature: Buffer
}

/**
 * (a) One thread, the key parsed once, each body verified once as the server must: the ceiling of
 * a receiver that does nothing but verify.
 */
function rawVerify(key: KeyObject, items: RawItem[]): void {
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as RawItem
    if (!verify('sha256', item.body, key, item.signature))
      throw new Error(`bench body ${i} does not verify`)
  }
}

/** (c) The baseline: what a receiver built on the SDK's own `event.parse` would look like. */
async function startParseHandler(
  parse: (content: string, signature: string) => Promise<unknown>
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const content = Buffer.concat(chunks).toString('utf8')
      const signature = String(req.headers['digital-signature'] ?? '')
      parse(content, signature).then(
        () => {
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 11 })
          res.end('{"ok":true}')
        },
        () => {
          res.writeHead(400, { 'Content-Type': 'application/json', 'Content-Length': 12 })
          res.end('{"ok":false}')
        }
      )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/webhook`, server }
}

/** Splits [from, to) into `parts` contiguous slices. */
function slices(from: number, to: number, parts: number): [number, number][] {
  const out: [number, number][] = []
  for (let k = 0; k < parts; k++) {
    out.push([
      from + Math.floor(((to - from) * k) / parts),
      from + Math.floor(((to - from) * (k + 1)) / parts)
    ])
  }
  return out
}

export async function measureDeliveries(
  client: LoadClient,
  options: DeliveryOptions
): Promise<DeliveryFigures> {
  const { requests, parseRequests, warmup, concurrency, rounds } = options
  if (parseRequests > requests) throw new Error('parseRequests must not exceed requests')
  const env = await startBenchEnv({ register: false })
  let handler: { url: string; server: Server } | undefined
  try {
    // A run is going, as in real use; the deliveries are for an invoice it did not issue.
    await env.sim.startRun()
    const deliveries = await signedDeliveries(env.emulator, env.sdk, warmup + requests)
    const bodyBytes = Buffer.byteLength((deliveries[0] as SignedDelivery).body)
    const key = createPublicKey(env.emulator.publicKey)
    const items: RawItem[] = deliveries.map((d) => ({
      body: Buffer.from(d.body),
      signature: Buffer.from(d.signature, 'base64')
    }))
    const sdk = env.sdk
    handler = await startParseHandler((content, signature) =>
      sdk.event.parse({ content, signature })
    )

    await client.load(deliveries)
    const serverUrl = env.webhookUrl
    const parseUrl = handler.url

    // Warm-up, untimed: JIT, sockets, and both receivers' public-key fetch.
    rawVerify(key, items.slice(0, warmup))
    await client.run({ url: serverUrl, from: 0, to: warmup, warmup, concurrency })
    const parseWarmup = Math.min(200, warmup)
    await client.run({ url: parseUrl, from: 0, to: parseWarmup, warmup: parseWarmup, concurrency })

    const raw = newTally()
    const server = newTally()
    const parse = newTally()
    const serverSlices = slices(warmup, warmup + requests, rounds)
    const parseSlices = slices(warmup, warmup + parseRequests, rounds)
    for (let k = 0; k < rounds; k++) {
      const [from, to] = serverSlices[k] as [number, number]
      const verified = await timed(() => rawVerify(key, items.slice(from, to)))
      add(raw, to - from, to - from, verified.elapsedMs, verified.cpuMs)
      const last = k === rounds - 1
      addLoad(
        server,
        await timed(() => client.run({ url: serverUrl, from, to, warmup: 0, concurrency, last })),
        to - from
      )
      // The same signed bodies again: the baseline keeps no record, so repeats cost it nothing extra.
      const [pFrom, pTo] = parseSlices[k] as [number, number]
      addLoad(
        parse,
        await timed(() =>
          client.run({ url: parseUrl, from: pFrom, to: pTo, warmup: 0, concurrency, last })
        ),
        pTo - pFrom
      )
    }

    const journalText = await readFile(join(env.stateDir, 'journal.ndjson'), 'utf8')
    const journaledOnDisk = journalText
      .split('\n')
      .filter(
        (line) => line.includes('"type":"event.received"') && line.includes('"source":"webhook"')
      ).length

    return {
      options,
      bodyBytes,
      rawVerify: figure(raw),
      server: { ...httpFigure(server), sent: warmup + requests, journaledOnDisk },
      parse: httpFigure(parse)
    }
  } finally {
    if (handler) {
      handler.server.closeAllConnections()
      const { server } = handler
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
    await env.cleanup()
  }
}
