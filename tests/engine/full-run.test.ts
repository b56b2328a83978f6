/**
 * A full default run (8 batches, every 3 hours, 8 to 12 invoices each) against the emulator at high
 * clock speed, in-process, with the real SDK: every credited invoice ends with exactly one successful
 * transfer of amount − fee to Stark Bank S.A., checked at the emulator.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { startEngineEnv, type EngineEnv } from '../helpers/engine-env'

let env: EngineEnv | undefined
afterEach(async () => {
  await env?.cleanup()
  env = undefined
})

describe('full run', () => {
  it('When a default run completes at high speed, Then the invariants hold at Stark', async () => {
    env = await startEngineEnv({ speed: 20_000, seed: 3 })
    await env.sim.startRun()
    await env.completed
    const report = await env.sim.verify()
    expect(report.problems).toEqual([])
    expect(report.ok).toBe(true)

    const snapshot = env.sim.snapshot()
    const run = snapshot.run!
    expect(run.sizes).toHaveLength(8)
    for (const size of run.sizes) expect(size).toBeGreaterThanOrEqual(8)
    for (const size of run.sizes) expect(size).toBeLessThanOrEqual(12)
    const batches = snapshot.batches.filter((b) => b.key.startsWith('b'))
    expect(batches.map((b) => b.invoiceIds.length)).toEqual(run.sizes)
    expect(batches.map((b) => b.dueAt - run.startedAt)).toEqual(
      [0, 3, 6, 9, 12, 15, 18, 21].map((h) => h * 3_600_000)
    )
    expect(snapshot.totals.credited).toBeGreaterThan(0)
    expect(snapshot.totals.transfersSucceeded).toBe(snapshot.totals.credited)
    expect(snapshot.totals.transferredAmount).toBe(
      snapshot.totals.creditedAmount - snapshot.totals.fees
    )

    // At Stark: the money went to the trial's destination, and the balance is what the fees leave.
    const transfers = await env.sdk.transfer.query({})
    const list: {
      bankCode: string
      accountNumber: string
      taxId: string
      accountType: string
      status: string
    }[] = []
    for await (const t of (await transfers) as unknown as AsyncIterable<(typeof list)[number]>)
      list.push(t)
    expect(list).toHaveLength(snapshot.totals.credited)
    for (const t of list) {
      expect(t).toMatchObject({
        bankCode: '20018183',
        branchCode: '0001',
        accountNumber: '6341320293482496',
        taxId: '20.018.183/0001-80',
        accountType: 'payment',
        status: 'success'
      })
    }
    expect((await env.sdk.balance.get()).amount).toBe(0)
  }, 60_000)
})
