// @vitest-environment node
/**
 * Every operation of the contract, called through the handler table on the real runtime (the one
 * the desktop app and the CLI drive: embedded emulator, real SDK, manual clock) behind
 * runtime-ports.ts, plus the refusals with their codes.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { downloadHost } from '../../src/main/app/download-host'
import { createHandlers } from '../../src/main/app/handlers'
import type { HostDeps } from '../../src/main/app/ports'
import { confPrefs } from '../../src/main/app/prefs'
import { createDispatch } from '../../src/main/app/dispatch'
import type { Handlers, Result } from '../../src/shared/contract'
import type { JournalEntry } from '../../src/shared/journal'
import { decodeQrPng, readPdf } from '../helpers/documents'
import { HOUR } from '../helpers/engine-steps'
import { startRuntimePorts, type RuntimePortsEnv } from '../helpers/runtime-ports-env'

const data = <T>(result: Result<T>): T => {
  if (!result.ok) throw new Error(`expected ok, got ${result.code}: ${result.message}`)
  return result.data
}

const PLAN = {
  batches: 2,
  intervalMs: HOUR,
  minInvoices: 1,
  maxInvoices: 2,
  minAmount: 1_000,
  maxAmount: 5_000,
  settleMs: HOUR
}

describe('handlers on the real runtime and emulator', () => {
  let env: RuntimePortsEnv
  let deps: HostDeps
  let handlers: Handlers
  let emulatorOn = true

  const entries = async (): Promise<JournalEntry[]> =>
    data(await handlers['journal:entries']({ limit: 2000 })).entries.reverse()
  const idle = (): Promise<void> => env.runtime.simulator.idle()

  beforeAll(async () => {
    env = await startRuntimePorts()
    deps = {
      info: { name: 'Stark Sandbox Simulator', version: '9.9.9', host: 'dashboard' },
      status: env.ports.status,
      live: () => {
        const live = env.ports.live()
        return live && !emulatorOn ? { ...live, emulator: undefined } : live
      },
      prefs: confPrefs(await mkdtemp(join(tmpdir(), 'ssim-prefs-'))),
      host: downloadHost()
    }
    handlers = createHandlers(deps)
  })
  afterAll(() => env.cleanup())

  it('When nothing was started, Then info, status and snapshot answer and run commands say no_run', async () => {
    expect(data(await handlers['app:info'](undefined))).toEqual(deps.info)
    const status = data(await handlers['runtime:status'](undefined))
    expect(status).toMatchObject({
      phase: 'running',
      environment: 'emulator',
      webhook: { listening: true }
    })
    expect(data(await handlers['snapshot:get'](undefined)).run).toBeNull()
    expect(data(await handlers['session:ready']({}))).toEqual({ lastSeq: expect.any(Number) })
    for (const name of ['run:pause', 'run:resume', 'run:next-batch'] as const)
      expect(await handlers[name](undefined)).toMatchObject({ ok: false, code: 'no_run' })
    expect(await handlers['run:stop']({})).toMatchObject({ ok: false, code: 'no_run' })
    expect(await handlers['run:one-invoice']({})).toMatchObject({ ok: false, code: 'no_run' })
  })

  it('When a plan breaks a rule the schema cannot see, Then run:start says invalid_plan', async () => {
    const bad = { ...PLAN, minInvoices: 5, maxInvoices: 2 }

    expect(await handlers['run:start']({ plan: bad })).toMatchObject({
      ok: false,
      code: 'invalid_plan'
    })
  })

  it('When a run starts, Then it answers its id and sizes, remembers the plan, and a second start says run_active', async () => {
    const started = data(await handlers['run:start']({ plan: PLAN }))
    await idle()

    expect(started.runId).toMatch(/^[0-9a-f]{10}$/)
    expect(started.sizes).toHaveLength(2)
    expect(data(await handlers['prefs:get'](undefined)).plan).toMatchObject(PLAN)
    expect(await handlers['run:start']({})).toMatchObject({ ok: false, code: 'run_active' })
  })

  it('When paused and resumed, Then the run view says so', async () => {
    expect(data(await handlers['run:pause'](undefined))).toMatchObject({ paused: true })
    expect(data(await handlers['run:resume'](undefined))).toMatchObject({ paused: false })
  })

  it('When the next batch is asked for, Then it says which batch and whether it was issued', async () => {
    const next = data(await handlers['run:next-batch'](undefined))
    await idle()

    expect(next).toEqual({ batch: 'b1', issued: true })
  })

  it('When one invoice is issued and paid now, Then its chain shows the issue, the credit and the transfer', async () => {
    const { invoiceId } = data(
      await handlers['run:one-invoice']({ name: 'Ana Souza', amount: 4321 })
    )
    expect(data(await handlers['invoice:pay-now']({ invoiceId }))).toEqual({ invoiceId })

    data(await handlers['emulator:clock']({ advanceSeconds: 3600 }))
    await idle()
    await env.clock.advance(HOUR)
    await idle()
    const chain = data(await handlers['invoice:chain']({ invoiceId }))

    const types = chain.entries.map((e) => e.type)
    expect(chain.invoiceId).toBe(invoiceId)
    expect(types).toContain('invoice.created')
    expect(types).toContain('invoice.credited')
    expect(types).toContain('transfer.sent')
    expect(types).toContain('event.received')
    expect(chain.entries.map((e) => e.seq)).toEqual(
      [...chain.entries.map((e) => e.seq)].sort((a, b) => a - b)
    )
  })

  it('When an event is replayed, Then it is a duplicate; an unknown event is not_found or refused', async () => {
    const event = (await entries()).find((e) => e.type === 'event.received')
    if (event?.type !== 'event.received') throw new Error('no event was received')

    expect(data(await handlers['event:replay']({ eventId: event.eventId }))).toEqual({
      verdict: 'duplicate'
    })
    const unknown = await handlers['event:replay']({ eventId: '1234567890123456' })
    expect(unknown.ok).toBe(false)
    expect(['not_found', 'stark_refused']).toContain(!unknown.ok && unknown.code)
  })

  it('When a transfer did not fail, Then retry is refused; an unknown invoice is not_found', async () => {
    const credited = data(await handlers['snapshot:get'](undefined)).invoices.find((i) => i.credit)
    if (!credited) throw new Error('nothing was credited')

    expect(await handlers['transfer:retry']({ invoiceId: credited.id })).toMatchObject({
      ok: false,
      code: 'not_retryable'
    })
    expect(await handlers['transfer:retry']({ invoiceId: 'nope' })).toMatchObject({
      ok: false,
      code: 'not_found'
    })
    expect(await handlers['invoice:pay-now']({ invoiceId: '999' })).toMatchObject({
      ok: false,
      code: 'not_found'
    })
    expect(await handlers['invoice:chain']({ invoiceId: '999' })).toMatchObject({
      ok: false,
      code: 'not_found'
    })
  })

  it('When the journal is paged with a filter, Then only that kind comes back, newest first', async () => {
    const page = data(
      await handlers['journal:entries']({ limit: 3, filter: { kinds: ['transfers'] } })
    )

    expect(page.entries.length).toBeGreaterThan(0)
    expect(
      page.entries.every((e) => e.type.startsWith('transfer.') && e.type !== 'transfer.error')
    ).toBe(true)
    const seqs = page.entries.map((e) => e.seq)
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a))
    const older = data(await handlers['journal:entries']({ beforeSeq: seqs.at(-1), limit: 2000 }))
    expect(older.entries.every((e) => e.seq < (seqs.at(-1) as number))).toBe(true)
  })

  it('When a QR code or a PDF is asked for, Then the emulator serves the PNG of its BR Code and the PDF', async () => {
    const invoice = data(await handlers['snapshot:get'](undefined)).invoices[0]
    if (!invoice) throw new Error('no invoice')

    const qr = data(await handlers['invoice:qrcode']({ invoiceId: invoice.id, size: 8 }))
    const pdf = data(await handlers['document:open']({ kind: 'invoice', id: invoice.id }))

    const [, base64] = qr.dataUrl.split(';base64,')
    const decoded = decodeQrPng(Buffer.from(base64 ?? '', 'base64'))
    expect(qr.dataUrl).toMatch(/^data:image\/png;base64,/)
    // An EMV payload (the Pix BR Code) starts with its format indicator.
    expect(decoded.text).toMatch(/^000201/)
    if (pdf.kind !== 'download') throw new Error(`expected a download, got ${pdf.kind}`)
    const file = pdf.files[0]
    expect(file).toMatchObject({ name: `invoice-${invoice.id}.pdf`, mime: 'application/pdf' })
    const read = await readPdf(Buffer.from(file?.base64 ?? '', 'base64'))
    expect(read.title).toBe(`Fatura Pix ${invoice.id}`)
  })

  it('When the run is exported in the browser, Then the JSON and CSVs parse and name the invoices', async () => {
    const delivered = data(await handlers['run:export'](undefined))
    if (delivered.kind !== 'download') throw new Error(`expected a download, got ${delivered.kind}`)
    const files = new Map(
      delivered.files.map((f) => [
        f.name.replace(/^stark-run-[0-9a-f]+/, ''),
        Buffer.from(f.base64, 'base64').toString()
      ])
    )
    const json = JSON.parse(files.get('.json') ?? '') as {
      summary: { totals: { invoices: number } }
      journal: JournalEntry[]
    }
    const snapshot = data(await handlers['snapshot:get'](undefined))

    expect(json.summary.totals).toEqual(snapshot.totals)
    expect(json.journal.map((e) => e.seq)).toEqual((await entries()).map((e) => e.seq))
    const invoiceRows = (files.get('-invoices.csv') ?? '').trim().split('\r\n')
    expect(invoiceRows[0]).toMatch(/^invoiceId,runId,batch,name/)
    expect(invoiceRows).toHaveLength(snapshot.invoices.length + 1)
    for (const invoice of snapshot.invoices)
      expect(invoiceRows.some((row) => row.startsWith(`${invoice.id},`))).toBe(true)
    expect(files.get('-events.csv')).toMatch(/^seq,starkTime,eventId/)
    expect(files.get('-transfers.csv')).toMatch(/^invoiceId,externalId,transferId/)
  })

  it('When faults and speed are changed, Then the emulator says what it now does, and the speed is remembered', async () => {
    const faults = data(await handlers['emulator:faults']({ duplicateDeliveries: 0.5 }))
    expect(faults).toMatchObject({ duplicateDeliveries: 0.5, dropDeliveries: 0 })
    expect(data(await handlers['emulator:faults'](undefined)).duplicateDeliveries).toBe(0.5)
    data(await handlers['emulator:faults']({ duplicateDeliveries: 0 }))

    // Through the contract's parsing, as every transport calls it: a patch of one fault keeps the others.
    const dispatch = createDispatch(handlers)
    await dispatch('emulator:faults', [{ duplicateDeliveries: 0.5 }])
    const both = await dispatch('emulator:faults', [{ dropDeliveries: 0.3 }])
    expect(both).toMatchObject({
      ok: true,
      data: { duplicateDeliveries: 0.5, dropDeliveries: 0.3 }
    })
    await dispatch('emulator:faults', [{ duplicateDeliveries: 0, dropDeliveries: 0 }])

    const clock = data(await handlers['emulator:clock']({ speed: 0 }))
    expect(clock).toEqual({ now: env.clock.now(), speed: 0 })
    expect(data(await handlers['prefs:get'](undefined)).speed).toBe(0)
  })

  it('When the theme is set, Then prefs:get reads it back', async () => {
    expect(data(await handlers['prefs:set']({ theme: 'dark' })).theme).toBe('dark')
    expect(data(await handlers['prefs:get'](undefined)).theme).toBe('dark')
  })

  it('When the target has no emulator, Then emulator commands say emulator_only', async () => {
    emulatorOn = false
    try {
      expect(await handlers['emulator:faults'](undefined)).toMatchObject({
        ok: false,
        code: 'emulator_only'
      })
      expect(await handlers['invoice:pay-now']({ invoiceId: '1' })).toMatchObject({
        ok: false,
        code: 'emulator_only'
      })
    } finally {
      emulatorOn = true
    }
  })

  it('When the run is stopped, Then commands that issue say run_ended', async () => {
    // A run that already completed stays completed; either way it issues nothing more.
    const ended = data(await handlers['run:stop']({ reason: 'test' }))
    expect(ended.stopped || ended.completed).toBe(true)
    expect(await handlers['run:next-batch'](undefined)).toMatchObject({
      ok: false,
      code: 'run_ended'
    })
    expect(await handlers['run:one-invoice']({})).toMatchObject({ ok: false, code: 'run_ended' })
  })

  it('When the runtime has stopped, Then engine commands say not_running and status still answers', async () => {
    await env.runtime.stop()

    expect(await handlers['snapshot:get'](undefined)).toMatchObject({
      ok: false,
      code: 'not_running'
    })
    expect(await handlers['run:one-invoice']({})).toMatchObject({ ok: false, code: 'not_running' })
    expect(data(await handlers['runtime:status'](undefined)).phase).toBe('stopped')
  })
})
