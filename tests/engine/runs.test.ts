/**
 * Across runs and at the edges of the invariants: an earlier run keeps owning its invoices after a
 * new run begins, and the final check notices money sent twice even while it is still in flight.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { invoiceTag, runTag } from '../../src/main/engine/tags'
import { collectAll } from '../../src/main/stark/client'
import { startEngineEnv, type EngineEnv } from '../helpers/engine-env'
import { advanceBy, HOUR, ofType, payNow } from '../helpers/engine-steps'
import { DEFAULT_DESTINATION } from '../../src/shared/plan'

let env: EngineEnv | undefined
afterEach(async () => {
  await env?.cleanup()
  env = undefined
})

interface Transfer {
  amount: number
  status: string
  tags: string[]
}

describe('runs', () => {
  it("When an earlier run's invoice is paid after a new run began, Then its credit still gets one transfer, tagged with its own run", async () => {
    // Arrange: run A issues its first batch and stops; run B starts.
    env = await startEngineEnv({ behaviour: { autoPayRatio: 0, creditDelaySeconds: [10, 10] } })
    const { runId: runA } = await env.sim.startRun({ batches: 1 })
    const invoiceId = env.sim.snapshot().batches[0]!.invoiceIds[0]!
    await env.sim.stopRun()
    const { runId: runB } = await env.sim.startRun({ batches: 1 })

    // Act
    await payNow(env, invoiceId)
    await advanceBy(env, 60_000) // credited, then the transfer is sent
    await advanceBy(env, 60_000) // ...and settles

    // Assert
    const transfers = await collectAll<Transfer>(
      env.sdk.transfer.query({ tags: [invoiceTag(invoiceId)] })
    )
    const invoice = await env.sdk.invoice.get(invoiceId)
    expect(transfers).toHaveLength(1)
    expect(transfers[0]).toMatchObject({ amount: invoice.amount - invoice.fee, status: 'success' })
    expect(transfers[0]!.tags).toContain(runTag(runA))
    expect(transfers[0]!.tags).not.toContain(runTag(runB))
    // Run B's totals and checks are its own.
    expect(env.sim.snapshot().totals.credited).toBe(0)
    expect((await env.sim.verify()).problems.join('\n')).not.toMatch(invoiceId)
  })

  it('When a second transfer for a credited invoice is still processing, Then the invariant check reports it', async () => {
    // Arrange: a small run completes with its one transfer per credit.
    env = await startEngineEnv({ behaviour: { autoPayRatio: 1 } })
    const { runId } = await env.sim.startRun({
      batches: 1,
      minInvoices: 1,
      maxInvoices: 1,
      settleMs: HOUR
    })
    for (let i = 0; i < 4; i++) await advanceBy(env, HOUR)
    expect(ofType(env.entries, 'run.completed')).toHaveLength(1)
    expect((await env.sim.verify()).ok).toBe(true)
    const [credited] = ofType(env.entries, 'invoice.credited')

    // Act: someone sends the same money again; it is still processing.
    const [extra] = await env.sdk.transfer.create([
      new env.sdk.Transfer({
        amount: credited!.amount - credited!.fee,
        ...DEFAULT_DESTINATION,
        externalId: `again-${credited!.invoiceId}`,
        tags: [runTag(runId), invoiceTag(credited!.invoiceId)]
      })
    ])

    // Assert
    const report = await env.sim.verify()
    expect(extra!.status).toBe('created')
    expect(report.ok).toBe(false)
    expect(report.problems.join('\n')).toMatch(/2 transfers that are not failed or canceled/)
  })
})
