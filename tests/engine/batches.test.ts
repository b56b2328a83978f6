/**
 * Issuing invoices exactly once, against the emulator with the real SDK on a manual clock: a batch
 * whose answer was lost (500 after Stark created it, or a crash right after the intent) is found by
 * its tag instead of issued again, and a one-click invoice carries the user's name and amount and the
 * run's tags, and gets its transfer once paid and credited.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { batchTag, invoiceTag, runTag } from '../../src/main/engine/tags'
import type { NewInvoice, StarkClient } from '../../src/main/stark/client'
import { startEngineEnv, type EngineEnv } from '../helpers/engine-env'
import {
  advanceBy,
  HOUR,
  invoicesAtStark,
  ofType,
  payNow,
  serverError
} from '../helpers/engine-steps'

let env: EngineEnv | undefined
afterEach(async () => {
  await env?.cleanup()
  env = undefined
})

type CreateInvoices = (
  stark: StarkClient,
  invoices: NewInvoice[],
  call: number
) => ReturnType<StarkClient['createInvoices']>

/** An engine whose createInvoices goes through `create`; counts the calls. */
async function engineWith(create: CreateInvoices): Promise<{ e: EngineEnv; calls: () => number }> {
  let calls = 0
  env = await startEngineEnv({
    behaviour: { autoPayRatio: 0 },
    wrapStark: (stark) => ({
      ...stark,
      createInvoices: (invoices) => create(stark, invoices, ++calls)
    })
  })
  return { e: env, calls: () => calls }
}

/** Stark creates the invoices, then the answer is lost on the way back (first call only). */
const answerLostOnce: CreateInvoices = async (stark, invoices, call) => {
  const created = await stark.createInvoices(invoices)
  if (call === 1) throw serverError()
  return created
}

describe('batch recovery', () => {
  it('When Stark creates a batch but the answer is lost, Then the retry finds it by tag and records it once, recovered, with no duplicate invoices', async () => {
    // Arrange
    const { e, calls } = await engineWith(answerLostOnce)
    const { runId } = await e.sim.startRun()
    const size = e.sim.snapshot().run!.sizes[0]!
    const start = e.sim.snapshot().run!.startedAt

    // Act
    const errorsBefore = ofType(e.entries, 'batch.error')
    const issuedBefore = ofType(e.entries, 'batch.issued').length
    await advanceBy(e, 2_000)

    // Assert
    expect(errorsBefore).toMatchObject([{ batch: 'b0', retryAt: start + 2_000 }])
    expect(issuedBefore).toBe(0)
    expect(ofType(e.entries, 'batch.issued')).toMatchObject([{ batch: 'b0', recovered: true }])
    expect(ofType(e.entries, 'batch.issued')[0]!.invoiceIds).toHaveLength(size)
    expect(ofType(e.entries, 'invoice.created')).toHaveLength(size)
    expect(calls()).toBe(1)
    expect(await invoicesAtStark(e.stark, batchTag(runId, 'b0'))).toBe(size)
  })

  it("When the process dies between the batch intent and Stark's answer, Then the restarted engine finds the batch by tag instead of issuing it again", async () => {
    // Arrange: the journal ends with the intent, as if the process died during the call
    const { e, calls } = await engineWith(answerLostOnce)
    const { runId } = await e.sim.startRun()
    const size = e.sim.snapshot().run!.sizes[0]!
    await e.sim.stop()
    const file = join(e.stateDir, 'journal.ndjson')
    const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '')
    const kept = lines.filter((l) => (JSON.parse(l) as { type: string }).type !== 'batch.error')
    await writeFile(file, kept.map((l) => `${l}\n`).join(''))
    expect(JSON.parse(kept[kept.length - 1]!)).toMatchObject({ type: 'batch.issuing' })

    // Act
    await e.restart()
    await e.sim.idle()
    await e.restart()
    await e.sim.idle()

    // Assert
    expect(ofType(e.entries, 'batch.issued')).toMatchObject([{ batch: 'b0', recovered: true }])
    expect(e.sim.snapshot().batches).toMatchObject([{ key: 'b0', issued: true, recovered: true }])
    expect(e.sim.snapshot().invoices).toHaveLength(size)
    expect(calls()).toBe(1)
    expect(await invoicesAtStark(e.stark, batchTag(runId, 'b0'))).toBe(size)
  })

  it('When the call fails before reaching Stark, Then the lookup finds nothing and the batch is issued once on retry', async () => {
    // Arrange
    const { e, calls } = await engineWith(async (stark, invoices, call) => {
      if (call === 1) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })
      return stark.createInvoices(invoices)
    })
    const { runId } = await e.sim.startRun()
    const size = e.sim.snapshot().run!.sizes[0]!

    // Act
    await advanceBy(e, 2_000)

    // Assert
    expect(ofType(e.entries, 'batch.error')).toHaveLength(1)
    expect(ofType(e.entries, 'batch.issued')).toMatchObject([{ batch: 'b0', recovered: false }])
    expect(calls()).toBe(2)
    expect(await invoicesAtStark(e.stark, batchTag(runId, 'b0'))).toBe(size)
  })

  it('When Stark refuses every batch with a 400, Then each is tried once, never again, and the run still ends with the problem reported', async () => {
    // Arrange
    const { e, calls } = await engineWith(async (stark, invoices) =>
      stark.createInvoices(invoices.map((i) => ({ ...i, taxId: '123.456.789-00' })))
    )

    // Act: past both batch times and the settle window, with ticks in between.
    const { runId } = await e.sim.startRun({ batches: 2, settleMs: HOUR })
    for (let i = 0; i < 8; i++) await advanceBy(e, HOUR)

    // Assert
    expect(ofType(e.entries, 'batch.error')).toMatchObject([
      { batch: 'b0', retryAt: null },
      { batch: 'b1', retryAt: null }
    ])
    expect(ofType(e.entries, 'batch.issued')).toHaveLength(0)
    expect(calls()).toBe(2)
    expect(await invoicesAtStark(e.stark, runTag(runId))).toBe(0)
    expect(ofType(e.entries, 'run.completed')).toHaveLength(1)
    const report = await e.sim.verify()
    expect(report.ok).toBe(false)
    expect(report.problems.join('\n')).toMatch(/batch b0 has 0 invoices at Stark/)
  })
})

describe('one-click invoice', () => {
  it("When the user issues one invoice with a name and amount, Then Stark holds it with the run's tags, and once paid and credited it gets its transfer", async () => {
    // Arrange
    env = await startEngineEnv({ behaviour: { autoPayRatio: 0, creditDelaySeconds: [10, 10] } })
    const { runId } = await env.sim.startRun()

    // Act
    const { invoiceId: id } = await env.sim.issueInvoice({
      name: 'Maria Aparecida Teste',
      amount: 12_345
    })
    const atStark = await env.sdk.invoice.get(id)
    await payNow(env, id)
    await advanceBy(env, 10_000)
    await advanceBy(env, 10_000)

    // Assert
    expect(atStark).toMatchObject({ name: 'Maria Aparecida Teste', amount: 12_345 })
    expect(atStark.tags).toEqual(expect.arrayContaining([runTag(runId), batchTag(runId, 'm1')]))
    expect(await invoicesAtStark(env.stark, batchTag(runId, 'm1'))).toBe(1)
    const transfers = await env.stark.transfersByTag(invoiceTag(id))
    expect(transfers).toMatchObject([
      { amount: 12_345 - 50, externalId: `ssim-${id}`, status: 'success' }
    ])
    const invoice = env.sim.snapshot().invoices.find((i) => i.id === id)
    expect(invoice).toMatchObject({ batch: 'm1', credit: { amount: 12_345, fee: 50 } })
    expect(invoice?.transfer).toMatchObject({ status: 'success', amount: 12_295 })
  })
})

describe('runs that end', () => {
  it('When a stopped run is followed by a new one, Then the new run issues its own first batch at its start', async () => {
    // Arrange
    env = await startEngineEnv({ behaviour: { autoPayRatio: 0 } })
    await env.sim.startRun()
    await env.sim.stopRun()

    // Act
    const { runId } = await env.sim.startRun()
    await env.sim.idle()

    // Assert
    const run = env.sim.snapshot().run!
    expect(run).toMatchObject({ runId, batchesIssued: 1, stopped: false })
    expect(await invoicesAtStark(env.stark, batchTag(runId, 'b0'))).toBe(run.sizes[0])
    expect(env.sim.snapshot().invoices).toHaveLength(run.sizes[0]!)
  })

  it('When the run was stopped, Then "issue now" and "issue one invoice" are refused and nothing reaches Stark', async () => {
    // Arrange
    env = await startEngineEnv({ behaviour: { autoPayRatio: 0 } })
    const { runId } = await env.sim.startRun()
    await env.sim.stopRun()

    // Act
    const batchNow = env.sim.issueBatchNow()
    const oneInvoice = env.sim.issueInvoice({ amount: 1_000 })

    // Assert
    await expect(batchNow).rejects.toMatchObject({ code: 'run_ended', message: /is stopped/ })
    await expect(oneInvoice).rejects.toMatchObject({ code: 'run_ended', message: /is stopped/ })
    const size = env.sim.snapshot().run!.sizes[0]
    expect(await invoicesAtStark(env.stark, runTag(runId))).toBe(size)
  })
})

describe('one-click invoice after a restart', () => {
  it("When the first call fails and the engine restarts before the retry, Then the invoice still carries the user's name and amount", async () => {
    // Arrange
    const { e } = await engineWith(async (stark, invoices, call) => {
      if (call === 2) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })
      return stark.createInvoices(invoices)
    })
    const { runId } = await e.sim.startRun()
    await e.sim.issueInvoice({ name: 'Joana Teste', amount: 4_321 }).catch(() => undefined)

    // Act
    await e.restart()
    await e.sim.idle()

    // Assert
    const [invoice] = await e.stark.invoicesByTag(batchTag(runId, 'm1'))
    expect(invoice).toMatchObject({ name: 'Joana Teste', amount: 4_321 })
  })
})

describe('one-click invoices at once', () => {
  it('When two one-click invoices are asked for at the same moment, Then both are issued, each once', async () => {
    // Arrange
    env = await startEngineEnv({ behaviour: { autoPayRatio: 0 } })
    const { runId } = await env.sim.startRun()

    // Act
    const [{ invoiceId: a }, { invoiceId: b }] = await Promise.all([
      env.sim.issueInvoice({ name: 'Ana Lima', amount: 1_111 }),
      env.sim.issueInvoice({ name: 'Bruno Dias', amount: 2_222 })
    ])

    // Assert
    expect(a).not.toBe(b)
    expect((await env.sdk.invoice.get(a)).amount).toBe(1_111)
    expect((await env.sdk.invoice.get(b)).amount).toBe(2_222)
    expect(await invoicesAtStark(env.stark, batchTag(runId, 'm1'))).toBe(1)
    expect(await invoicesAtStark(env.stark, batchTag(runId, 'm2'))).toBe(1)
  })

  it('When the amount is not whole cents or the name is empty, Then nothing is issued and the error says what to give', async () => {
    env = await startEngineEnv({ behaviour: { autoPayRatio: 0 } })
    const { runId } = await env.sim.startRun()
    await expect(env.sim.issueInvoice({ amount: 10.5 })).rejects.toMatchObject({
      code: 'invalid_args',
      message: /whole cents/
    })
    await expect(env.sim.issueInvoice({ name: '  ' })).rejects.toMatchObject({
      code: 'invalid_args',
      message: /name/
    })
    expect(ofType(env.entries, 'batch.issuing').filter((x) => x.batch.startsWith('m'))).toEqual([])
    expect(await invoicesAtStark(env.stark, runTag(runId))).toBe(env.sim.snapshot().run!.sizes[0])
  })
})
