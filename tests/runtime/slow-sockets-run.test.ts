/**
 * A run under a slow-header attack on its webhook server: 256 sockets that never finish a request
 * head, replaced as soon as they are closed, held for the whole run. Genuine deliveries from the
 * emulator must keep flowing: none may fail (every failed one waits 5 emulator minutes or more for
 * Stark's retry), and the run completes on webhooks.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { JournalEntry } from '../../src/shared/journal'
import { openSlowSockets, type SlowSockets } from '../helpers/slow-sockets'
import { runtimeBench, type RuntimeBench } from './helpers'

let bench: RuntimeBench
let attack: SlowSockets | undefined
beforeEach(async () => {
  bench = await runtimeBench()
})
afterEach(async () => {
  attack?.stop()
  await bench.cleanup()
})

describe('slow-header sockets during a run', () => {
  it('When 256 slow-header sockets are held open during a run, Then every delivery is accepted and the run completes', async () => {
    const entries: JournalEntry[] = []
    let completed: () => void = () => undefined
    const done = new Promise<void>((resolve) => (completed = resolve))
    const { runtime } = bench.runtime({
      target: { kind: 'embedded', speed: 1000, seed: 11 },
      // Catch-up only at start and at the end: credits must come by webhook.
      catchUpIntervalMs: 7 * 86_400_000,
      onSimulator: (sim) =>
        sim.subscribe({}, (batch) => {
          for (const entry of batch) {
            entries.push(entry)
            if (entry.type === 'run.completed') completed()
          }
        })
    })
    await runtime.start()
    const port = Number(new URL(runtime.webhookUrl as string).port)
    attack = openSlowSockets(port, 256, {
      path: new URL(runtime.webhookUrl as string).pathname,
      reopen: true
    })
    await attack.ready

    await runtime.simulator.startRun({
      ...{ batches: 2, intervalMs: 30 * 60_000, settleMs: 60 * 60_000 },
      ...{ minInvoices: 4, maxInvoices: 4 }
    })
    await done
    const stillOpen = attack.open()
    const counts = (await fetch(`${runtime.target.emulatorUrl}/_emulator/state`).then((r) =>
      r.json()
    )) as { events: { delivered: number; pending: number }; attempts: number }

    expect(stillOpen).toBeGreaterThan(200)
    expect(counts.attempts).toBe(0)
    expect(counts.events.delivered).toBeGreaterThan(0)
    const credited = entries.filter((e) => e.type === 'invoice.credited')
    expect(credited.length).toBeGreaterThan(0)
    const byWebhook = entries.filter(
      (e) => e.type === 'event.received' && e.source === 'webhook' && e.logType === 'credited'
    )
    expect(byWebhook.length).toBe(credited.length)
    expect((await runtime.verify()).problems).toEqual([])
  }, 120_000)
})
