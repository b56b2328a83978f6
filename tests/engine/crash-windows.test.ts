/**
 * What the CLI crash-safety test found, reproduced exactly on a manual clock, with the real SDK
 * against the emulator and one invoice issued, paid and credited: a journal cut where a SIGKILL cut
 * it, a transfer event and its status written apart, and a completion declared while the final
 * sweep was still bringing credits in.
 */
import { open } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { invoiceTag } from '../../src/main/engine/tags'
import type { JournalEntry } from '../../src/shared/journal'
import { startEngineEnv, type EngineEnv } from '../helpers/engine-env'
import { cutJournal, reopenEngine } from '../helpers/engine-restart'
import { advanceBy, ofType, payNow } from '../helpers/engine-steps'

const MINUTE = 60_000
const PLAN = { batches: 1, minInvoices: 1, maxInvoices: 1, settleMs: 10 * MINUTE }

let env: EngineEnv | undefined
afterEach(async () => {
  await env?.cleanup()
  env = undefined
})

/** A new engine on the same folder (the webhook is left unregistered: catch-up must do it). */
async function reopen(e: EngineEnv): Promise<JournalEntry[]> {
  const { sim, entries } = await reopenEngine(e, { catchUpIntervalMs: MINUTE })
  await sim.start()
  return entries
}

async function creditedRun(e: EngineEnv): Promise<string> {
  await e.sim.startRun(PLAN)
  const invoiceId = e.sim.snapshot().invoices[0]!.id
  await payNow(e, invoiceId)
  for (let i = 0; i < 15; i++) await advanceBy(e, MINUTE)
  return invoiceId
}

describe('crash windows', () => {
  it('When the engine dies after recording a credit but before the transfer intent, Then the restarted engine sends the one transfer', async () => {
    // Arrange: the transfer call never reaches Stark, then the journal loses the intent
    env = await startEngineEnv({
      behaviour: { autoPayRatio: 0, creditDelaySeconds: [10, 10] },
      wrapStark: (stark) => ({
        ...stark,
        createTransfer: async () => {
          throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
        }
      })
    })
    const invoiceId = await creditedRun(env)
    await env.sim.stop()
    await cutJournal(env, (entry) => entry.type === 'transfer.intent')
    expect(await env.stark.transfersByTag(invoiceTag(invoiceId))).toEqual([])

    // Act
    const entries = await reopen(env)
    for (let i = 0; i < 3; i++) await advanceBy(env, MINUTE)

    // Assert
    expect(ofType(entries, 'transfer.intent')).toMatchObject([{ invoiceId, attempt: 0 }])
    expect(ofType(entries, 'run.completed')).toHaveLength(1)
    expect(await env.stark.transfersByTag(invoiceTag(invoiceId))).toMatchObject([
      { status: 'success' }
    ])
    expect((await env.sim.verify()).problems).toEqual([])
  })

  it('When a transfer event is recorded, Then its status goes to disk in the same write, and so do a confirmed credit and its intent, so no crash can keep one without the other', async () => {
    // Arrange: watch every write through a FileHandle (the journal's appends)
    const probe = await open(fileURLToPath(import.meta.url), 'r')
    const proto = Object.getPrototypeOf(probe) as {
      write: (...args: unknown[]) => Promise<unknown>
    }
    await probe.close()
    const original = proto.write
    const writes: string[] = []
    const spy = vi.spyOn(proto, 'write').mockImplementation(function (
      this: unknown,
      ...args: unknown[]
    ) {
      // The journal writes Buffers (buffer, offset, length): what one call put on disk.
      const [data, offset = 0, length] = args as [unknown, number?, number?]
      if (typeof data === 'string') writes.push(data)
      else if (Buffer.isBuffer(data))
        writes.push(
          data.toString('utf8', offset, length === undefined ? undefined : offset + length)
        )
      return original.apply(this, args)
    })
    env = await startEngineEnv({ behaviour: { autoPayRatio: 0, creditDelaySeconds: [10, 10] } })

    // Act
    await creditedRun(env)
    spy.mockRestore()

    // Assert
    const statuses = ofType(env.entries, 'transfer.status')
    expect(statuses.map((x) => x.status).sort()).toEqual(['created', 'processing', 'success'])
    for (const status of statuses) {
      const received = env.entries.find((x) => x.seq === status.seq - 1)!
      expect(received).toMatchObject({ type: 'event.received', subjectId: status.transferId })
      const write = writes.find((w) => w.includes(`"seq":${status.seq},`))
      expect(write).toContain(`"seq":${received.seq},`)
    }
    // Likewise the credit as Stark confirmed it and the transfer's intent.
    const [credited] = ofType(env.entries, 'invoice.credited')
    const [intent] = ofType(env.entries, 'transfer.intent')
    expect(writes.find((w) => w.includes(`"seq":${credited!.seq},`))).toContain(
      `"seq":${intent!.seq},`
    )
    expect(ofType(env.entries, 'run.completed')).toHaveLength(1)
  })

  it('When the final sweep itself brings in a missed credit, Then the run completes only after that transfer succeeds', async () => {
    // Arrange: no webhook, and catch-up only every 30 min, so the credit arrives in the final sweep
    env = await startEngineEnv({
      register: false,
      behaviour: { autoPayRatio: 0, creditDelaySeconds: [10, 10] },
      engine: { catchUpIntervalMs: 30 * MINUTE }
    })

    // Act
    const invoiceId = await creditedRun(env)
    for (let i = 0; i < 30; i++) await advanceBy(env, MINUTE)

    // Assert
    const success = ofType(env.entries, 'transfer.status').find((x) => x.status === 'success')
    const completed = ofType(env.entries, 'run.completed')
    expect(success).toMatchObject({ invoiceId })
    expect(completed).toHaveLength(1)
    expect(completed[0]!.seq).toBeGreaterThan(success!.seq)
    expect((await env.sim.verify()).problems).toEqual([])
  })
})
