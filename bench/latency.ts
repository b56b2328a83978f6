/**
 * Part 2: latency from a `credited` delivery reaching the webhook server to the engine's transfer
 * request. The emulator pays and credits every invoice of a compressed run on its own schedule and
 * delivers the events to the engine's real webhook server, one POST at a time as Stark does.
 *
 * Start: Node's `http.server.request.start` diagnostics channel, the moment the server emits the
 * request (headers parsed, body not yet read), for requests on the engine's webhook port. The
 * journal entry that the request produces names the event; subscribers hear it asynchronously, so
 * it is matched by its `wall` time (when it was appended): the emulator sends one delivery at a
 * time, so the entry belongs to the one request in flight then (the figures say how often more than
 * one was, which would make the match ambiguous). End: a wrapper around the StarkClient the engine gets,
 * at the moment it calls createTransfer, matched by externalId `ssim-<invoiceId>`.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { externalIdFor } from '../src/main/engine/tags'
import { WEBHOOK_PATH_PREFIX } from '../src/main/engine/webhook-server'
import { startBenchEnv } from './env'

export interface LatencyOptions {
  /** Emulator speed (virtual seconds per real second). */
  speed: number
  batches: number
  invoicesPerBatch: number
  /** Virtual time between batches. */
  intervalMs: number
  timeoutMs: number
}

export interface LatencyFigures {
  options: LatencyOptions
  /** Credits that came by webhook and led to a transfer request. */
  samples: number
  expected: number
  /** Transfer requests seen, whichever way their credit came. */
  transfers: number
  p50Ms: number
  p90Ms: number
  p99Ms: number
  maxMs: number
  meanMs: number
  /** Journal entries written while more than one delivery was in flight (should be 0). */
  ambiguous: number
  engineErrors: string[]
  wallMs: number
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number
}

interface RequestStart {
  request: IncomingMessage
  response: ServerResponse
  socket: { localPort?: number }
}

export async function measureLatency(options: LatencyOptions): Promise<LatencyFigures> {
  const transferAt = new Map<string, number>()
  const creditedAt = new Map<string, number>()
  /** Webhook requests by start, in performance.now() ms; `end` once answered. */
  const requests: { start: number; end?: number }[] = []
  let ambiguous = 0
  let port = -1

  const onRequest = (message: unknown): void => {
    const { request, response, socket } = message as RequestStart
    if (socket.localPort !== port || !request.url?.startsWith(WEBHOOK_PATH_PREFIX)) return
    const span: { start: number; end?: number } = { start: performance.now() }
    requests.push(span)
    // In flight until its answer is sent (the request side closes as soon as the body is read).
    response.once('close', () => (span.end = performance.now()))
  }

  const env = await startBenchEnv({
    speed: options.speed,
    seed: 11,
    // In clock time, so at speed 120 the default 15 minutes would sweep every 7.5 real seconds, far
    // more often than in use; a sweep signs several API calls in pure JS and holds the event loop.
    catchUpIntervalMs: options.speed * 15 * 60_000,
    behaviour: { autoPayRatio: 1, payDelaySeconds: [5, 60], creditDelaySeconds: [5, 30] },
    wrap: (stark) => ({
      ...stark,
      createTransfer(transfer) {
        transferAt.set(transfer.externalId, performance.now())
        return stark.createTransfer(transfer)
      }
    })
  })
  const started = performance.now()
  try {
    port = Number(new URL(env.webhookUrl).port)
    subscribe('http.server.request.start', onRequest)
    env.sim.subscribe({}, (entries) => {
      for (const entry of entries) {
        if (entry.type !== 'event.received' || entry.source !== 'webhook') continue
        // `wall` is whole milliseconds: a request in flight during that millisecond.
        const at = entry.wall - performance.timeOrigin
        const open = requests.filter(
          (r) => r.start <= at + 1 && (r.end === undefined || r.end >= at)
        )
        if (open.length !== 1) ambiguous++
        const match = open[open.length - 1]
        if (!match) continue
        if (entry.logType === 'credited' && entry.verdict === 'valid')
          creditedAt.set(entry.subjectId, match.start)
      }
    })
    const expected = options.batches * options.invoicesPerBatch
    await env.sim.startRun({
      batches: options.batches,
      intervalMs: options.intervalMs,
      minInvoices: options.invoicesPerBatch,
      maxInvoices: options.invoicesPerBatch,
      settleMs: 0
    })
    // Every invoice is paid and credited; a credit that catch-up saw before its webhook has a
    // transfer but no sample, so the wait is for the transfers.
    const deadline = performance.now() + options.timeoutMs
    while (performance.now() < deadline && transferAt.size < expected)
      await new Promise((resolve) => setTimeout(resolve, 50))
    const latencies: number[] = []
    for (const [invoiceId, at] of creditedAt) {
      const sent = transferAt.get(externalIdFor(invoiceId, 0))
      if (sent !== undefined) latencies.push(sent - at)
    }
    latencies.sort((a, b) => a - b)
    return {
      options,
      samples: latencies.length,
      expected,
      transfers: transferAt.size,
      p50Ms: percentile(latencies, 50),
      p90Ms: percentile(latencies, 90),
      p99Ms: percentile(latencies, 99),
      maxMs: latencies[latencies.length - 1] ?? NaN,
      meanMs: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
      ambiguous,
      engineErrors: env.errors,
      wallMs: performance.now() - started
    }
  } finally {
    unsubscribe('http.server.request.start', onRequest)
    await env.cleanup()
  }
}
