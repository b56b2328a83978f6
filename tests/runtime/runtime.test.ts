/**
 * The runtime in-process: its lifecycle and status, the emulator controls, one live runtime per
 * process, and retried startup registration and final check through the emulator's fault injection.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { RuntimeStatus } from '../../src/shared/contract'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { installationTag } from '../../src/main/engine/installation'
import { codeOf, runtimeBench, type RuntimeBench } from './helpers'

let bench: RuntimeBench
beforeEach(async () => {
  bench = await runtimeBench()
})
afterEach(() => bench.cleanup())

describe('runtime lifecycle', () => {
  it('When started and stopped twice over, Then it goes idle -> starting -> running -> stopping -> stopped once, and cannot start again', async () => {
    const { runtime } = bench.runtime({ target: { kind: 'embedded', speed: 0 } })
    const phases: string[] = []
    runtime.onChange((status) => phases.push(status.phase))
    expect(runtime.phase).toBe('idle')
    await expect(codeOf(Promise.resolve().then(() => runtime.simulator))).resolves.toMatchObject({
      code: 'not_running'
    })

    const first = runtime.start()
    expect(runtime.start()).toBe(first)
    await first
    await runtime.start()
    const status: RuntimeStatus = runtime.status()
    expect(status).toMatchObject({
      phase: 'running',
      error: null,
      environment: 'emulator',
      target: { kind: 'embedded', label: 'Embedded emulator' },
      stateDir: runtime.stateDir,
      webhook: { listening: true, url: runtime.webhookUrl, rejected: 0 },
      clock: { speed: 0 }
    })
    expect(status.target.emulatorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(status.target.projectId).toMatch(/^\d+$/)
    expect(JSON.parse(JSON.stringify(status))).toEqual(status)

    await Promise.all([runtime.stop(), runtime.stop()])
    await runtime.stop()
    // Also told of the webhook registration (while starting): phases as they changed.
    const changes = phases.filter((p, i) => p !== phases[i - 1])
    expect(changes).toEqual(['starting', 'running', 'stopping', 'stopped'])
    expect(await codeOf(runtime.start())).toMatchObject({ code: 'not_running' })
    expect(runtime.status().webhook.listening).toBe(false)
  })

  it('When a second runtime starts in the same process, Then it is refused while the first is live, and starts once the first stopped', async () => {
    const first = bench.runtime({ target: { kind: 'embedded', speed: 0 } }).runtime
    await first.start()
    const second = bench.runtime({
      target: { kind: 'embedded', speed: 0 },
      stateDir: `${bench.dir}/other`
    }).runtime
    expect(await codeOf(second.start())).toMatchObject({ code: 'refused' })
    expect(second.phase).toBe('failed')
    await first.stop()
    const third = bench.runtime({
      target: { kind: 'embedded', speed: 0 },
      stateDir: `${bench.dir}/other`
    }).runtime
    await third.start()
    expect(third.phase).toBe('running')
  })

  it('When the target is the embedded emulator, Then its controls change the shared clock, the faults, and pay an invoice', async () => {
    const { runtime } = bench.runtime({ target: { kind: 'embedded', speed: 0 } })
    await runtime.start()
    const controls = runtime.emulator
    expect(controls).toBeDefined()
    const before = runtime.status().clock.now
    const after = await controls!.clock({ advanceSeconds: 60 })
    expect(after.now).toBeGreaterThanOrEqual(before + 60_000)
    expect(runtime.simulator.snapshot().now).toBeGreaterThanOrEqual(before + 60_000)
    expect(await controls!.faults({ apiErrorRate: 0.25 })).toMatchObject({
      apiErrorRate: 0.25,
      dropDeliveries: 0
    })
    await controls!.faults({ apiErrorRate: 0 })

    await runtime.simulator.startRun({ batches: 1, minInvoices: 1, maxInvoices: 1 })
    const { invoiceId } = await runtime.simulator.issueInvoice({ name: 'Ana Souza', amount: 1234 })
    expect(await controls!.payNow(invoiceId)).toEqual({ invoiceId })
    expect(await codeOf(controls!.payNow('0000000000000001'))).toMatchObject({
      code: 'not_found'
    })
  })

  it('When the target is an emulator elsewhere, Then there are no emulator controls', async () => {
    const emulator = await bench.emulator()
    const { runtime } = bench.runtime({ target: { kind: 'external', url: emulator.url } })
    await runtime.start()
    expect(runtime.emulator).toBeUndefined()
    expect(runtime.target).toMatchObject({ kind: 'external', emulatorUrl: emulator.url })
  })
})

describe('transient failures', () => {
  it('When Stark answers 500 to the startup registration, Then it is retried until it succeeds, leaving exactly one webhook', async () => {
    const emulator = await bench.emulator()
    const { runtime, lines } = bench.runtime({
      target: { kind: 'external', url: emulator.url },
      // Faults go on just before the registration: every call fails until two retries were logged.
      onSimulator: () => {
        emulator.core.faults = { ...emulator.core.faults, apiErrorRate: 1 }
      }
    })
    lines.onWarn = () => {
      if (lines.warn.filter((l) => l.startsWith('registering the webhook')).length >= 2)
        emulator.core.faults = { ...emulator.core.faults, apiErrorRate: 0 }
    }
    await runtime.start()
    expect(lines.warn.filter((l) => l.startsWith('registering the webhook'))).toHaveLength(2)
    expect(lines.warn[0]).toMatch(/Stark answered 500; trying again \(attempt 2 of \d+\)/)
    const webhooks = Object.values(emulator.core.state.webhooks)
    expect(webhooks.map((w) => w.url)).toEqual([runtime.webhookUrl])
  })

  it('When Stark answers 500 to the final check, Then it is retried; when it never recovers, Then an "unavailable" AppError says so in words', async () => {
    const emulator = await bench.emulator()
    const { runtime, lines } = bench.runtime({
      target: { kind: 'external', url: emulator.url },
      retry: { attempts: 3, firstDelayMs: 10, maxDelayMs: 20 }
    })
    await runtime.start()
    await runtime.simulator.startRun({ batches: 1, minInvoices: 1, maxInvoices: 1 })
    emulator.core.faults = { ...emulator.core.faults, apiErrorRate: 1 }
    lines.onWarn = (line) => {
      if (line.startsWith('checking the run'))
        emulator.core.faults = { ...emulator.core.faults, apiErrorRate: 0 }
    }
    await runtime.verify()
    expect(lines.warn.filter((l) => l.startsWith('checking the run'))).toHaveLength(1)

    lines.onWarn = undefined
    emulator.core.faults = { ...emulator.core.faults, apiErrorRate: 1 }
    const failure = await codeOf(runtime.verify())
    expect(failure.code).toBe('unavailable')
    expect(failure.message).toMatch(
      /Checking the run at Stark failed \(3 tries\): Stark answered 500/
    )
    expect(failure.message).not.toContain('{')
  })
})

describe('installation tag', () => {
  it('When the engine issues invoices through the runtime, Then each carries the installation tag beside its run tags', async () => {
    const emulator = await bench.emulator()
    const { runtime } = bench.runtime({ target: { kind: 'external', url: emulator.url } })
    await runtime.start()
    await runtime.simulator.startRun({ batches: 1, minInvoices: 1, maxInvoices: 1 })
    const { invoiceId } = await runtime.simulator.issueInvoice({ name: 'Ana Souza', amount: 1234 })
    const installation = JSON.parse(
      await readFile(join(runtime.stateDir, 'installation.json'), 'utf8')
    ) as { installationId: string }
    const runId = runtime.simulator.snapshot().run!.runId
    const atStark = emulator.core.state.invoices[invoiceId]!
    expect(atStark.tags).toEqual(
      expect.arrayContaining([`ssim-${runId}`, installationTag(installation.installationId)])
    )
  })
})
