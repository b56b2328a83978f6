/**
 * The emulator's persistence (state-store.ts): a change log with group commit, compacted into
 * snapshots. What is on disk must be exactly what the emulator holds after every save, across
 * compactions, after a crash that tears the last write, and when the state comes from a version 1
 * file written by the previous release.
 */
import {
  appendFile,
  copyFile,
  mkdtemp,
  readdir,
  readFile,
  rm,
  symlink,
  writeFile
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { listSegments, readSegment } from '../../src/main/emulator/change-log'
import { startEmulator, type Emulator } from '../../src/main/emulator/emulator'
import { loadState } from '../../src/main/emulator/persistence'
import type { EmulatorState } from '../../src/main/emulator/types'
import { generateKeyPair } from '../../src/main/stark/keys'
import { connectStark, type StarkSdk } from '../../src/main/stark/sdk'
import { BUSY_BEHAVIOUR, busyChapter } from '../helpers/busy-story'
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ssim-persist-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  return dir
}

interface Running {
  emulator: Emulator
  sdk: StarkSdk
}

async function start(
  stateFile: string,
  options: { seed?: number; compactMinBytes?: number } = {}
): Promise<Running> {
  const emulator = await startEmulator({
    stateFile,
    speed: 0,
    behaviour: BUSY_BEHAVIOUR,
    ...options
  })
  const keys = generateKeyPair()
  const projectId = emulator.registerProject(keys.publicPem)
  const sdk = connectStark(
    { kind: 'emulator', url: emulator.url },
    { projectId, privateKey: keys.privatePem }
  )
  return { emulator, sdk }
}

async function receiver(now: () => number): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver(now)
  cleanups.push(() => r.close())
  return r
}

/** What a restart would load from the files as they are now. */
const onDisk = async (stateFile: string): Promise<EmulatorState> =>
  (
    await loadState(stateFile, () => {
      throw new Error(`${stateFile} is missing`)
    })
  ).state

/** The emulator's state as it must be on disk: the clock as it reads now. */
const inMemory = (emulator: Emulator): EmulatorState => ({
  ...structuredClone(emulator.core.state),
  clockNow: emulator.clock.now()
})

/** Copies the state files as they are at this instant: what a machine that crashed now would keep. */
async function crashCopy(stateFile: string, into: string): Promise<string> {
  const copy = join(into, 'crashed.json')
  await copyFile(stateFile, copy)
  for (const segment of await listSegments(stateFile)) {
    const suffix = segment.file.slice(stateFile.length)
    await copyFile(segment.file, `${copy}${suffix}`)
  }
  return copy
}

describe('emulator persistence', () => {
  it('When a busy story runs through many compactions, Then after each save the disk holds exactly what memory holds', async () => {
    const dir = await tempDir()
    const stateFile = join(dir, 'emulator-state.json')
    const { emulator, sdk } = await start(stateFile, { seed: 3, compactMinBytes: 64 * 1024 })
    const hook = await receiver(() => emulator.clock.now())
    for (let chapter = 0; chapter < 3; chapter++) {
      await busyChapter(emulator, sdk, hook, chapter)
      await emulator.core.save()
      const crashed = await crashCopy(stateFile, await tempDir())
      expect(await onDisk(crashed)).toEqual(inMemory(emulator))
    }
    expect(emulator.core.store.stats().snapshots).toBeGreaterThan(2)
    expect(Object.keys(emulator.core.state.attempts).length).toBeGreaterThan(0)

    const expected = inMemory(emulator)
    await emulator.stop()
    expect(await onDisk(stateFile)).toEqual(expected)
  })

  it('When restarted from a compacted snapshot plus a log tail, Then the story continues', async () => {
    const dir = await tempDir()
    const stateFile = join(dir, 'emulator-state.json')
    const first = await start(stateFile, { seed: 5, compactMinBytes: 32 * 1024 })
    cleanups.push(() => first.emulator.stop())
    const hook = await receiver(() => first.emulator.clock.now())
    await busyChapter(first.emulator, first.sdk, hook, 0)
    const pending = await first.sdk.invoice.create([
      new first.sdk.Invoice({ amount: 7_777, name: 'Ana Souza', taxId: '012.345.678-90' })
    ])
    await first.emulator.core.save()
    // A crash now (a clean stop would fold the log into the snapshot): the files as they are.
    const crashed = await crashCopy(stateFile, await tempDir())
    const before = inMemory(first.emulator)

    // On disk: a snapshot taken after some commits, and commits after it in the log.
    const snapshot = JSON.parse(await readFile(crashed, 'utf8')) as { version: number; seq: number }
    expect(snapshot.version).toBe(2)
    expect(snapshot.seq).toBeGreaterThan(0)
    const segments = await listSegments(crashed)
    const tail = (await Promise.all(segments.map((s) => readSegment(s.file, false)))).flat()
    expect(tail.filter((c) => c.seq > snapshot.seq).length).toBeGreaterThan(0)

    const running = await start(crashed, { compactMinBytes: 32 * 1024 })
    cleanups.push(() => running.emulator.stop())
    expect(running.emulator.core.state.invoices).toEqual(before.invoices)
    expect(running.emulator.clock.now()).toBe(before.clockNow)
    const invoice = pending[0]!
    expect((await running.sdk.invoice.get(invoice.id)).status).toBe('created')
    // What was scheduled for it before the restart still happens: its payment, or it goes overdue.
    const willPay = Object.values(before.jobs).some(
      (job) => job.kind === 'invoice.pay' && job.invoiceId === invoice.id
    )
    await running.emulator.clock.advance(3 * 24 * 3_600_000)
    expect((await running.sdk.invoice.get(invoice.id)).status).toBe(willPay ? 'paid' : 'overdue')
    const { amount } = await running.sdk.balance.get()
    expect(amount).toBe(before.balance + (willPay ? 7_777 - 50 : 0))
  })

  it('When the last log line is torn by a crash, Then it is cut off at start and the story continues', async () => {
    const dir = await tempDir()
    const first = await start(join(dir, 'emulator-state.json'), { seed: 7 })
    cleanups.push(() => first.emulator.stop())
    const [early] = await first.sdk.invoice.create([
      new first.sdk.Invoice({ amount: 1_234, name: 'Ana Souza', taxId: '012.345.678-90' })
    ])
    await first.emulator.core.save()
    const expected = inMemory(first.emulator)
    // The crash cut the next commit short: its line has no end.
    const stateFile = await crashCopy(join(dir, 'emulator-state.json'), await tempDir())
    const [segment] = await listSegments(stateFile)
    const whole = await readFile(segment!.file, 'utf8')
    expect(whole.length).toBeGreaterThan(0)
    await appendFile(segment!.file, '{"seq":999,"clockNow":1,"put":{"invoices":{"4')

    let running = await start(stateFile)
    // The torn line is gone; what the new start commits meanwhile (its project) may follow, whole.
    const after = await readFile(segment!.file, 'utf8')
    expect(after.startsWith(whole)).toBe(true)
    expect(after).not.toContain('"seq":999')
    for (const line of after.slice(whole.length).split('\n').filter(Boolean))
      expect(() => JSON.parse(line) as unknown).not.toThrow()
    expect(running.emulator.core.state.invoices).toEqual(expected.invoices)
    const [later] = await running.sdk.invoice.create([
      new running.sdk.Invoice({ amount: 4_321, name: 'Bruno Lima', taxId: '012.345.678-90' })
    ])
    await running.emulator.stop()

    running = await start(stateFile)
    cleanups.push(() => running.emulator.stop())
    expect((await running.sdk.invoice.get(early!.id)).amount).toBe(1_234)
    expect((await running.sdk.invoice.get(later!.id)).amount).toBe(4_321)
  })

  it('When a complete line inside the log is damaged, Then start-up refuses and names the file', async () => {
    const dir = await tempDir()
    const running = await start(join(dir, 'emulator-state.json'), { seed: 9 })
    cleanups.push(() => running.emulator.stop())
    await running.sdk.invoice.create([
      new running.sdk.Invoice({ amount: 1_000, name: 'Ana Souza', taxId: '012.345.678-90' })
    ])
    await running.emulator.core.save()
    const stateFile = await crashCopy(join(dir, 'emulator-state.json'), await tempDir())
    const [segment] = await listSegments(stateFile)
    const text = await readFile(segment!.file, 'utf8')
    expect(text.split('\n').length).toBeGreaterThan(2)
    await writeFile(segment!.file, text.replace('"seq":', '"seq":}'))
    await expect(startEmulator({ stateFile })).rejects.toMatchObject({
      code: 'state_damaged',
      message: expect.stringContaining(segment!.file) as unknown
    })
  })

  it.skipIf(process.platform !== 'linux')(
    'When the disk refuses a write, Then nothing more is acknowledged and a restart holds what was (Linux: /dev/full)',
    async () => {
      const dir = await tempDir()
      const stateFile = join(dir, 'emulator-state.json')
      const lines: string[] = []
      const emulator = await startEmulator({
        stateFile,
        speed: 0,
        seed: 13,
        compactMinBytes: 1,
        log: (line) => lines.push(line)
      })
      const keys = generateKeyPair()
      const projectId = emulator.registerProject(keys.publicPem)
      const sdk = connectStark(
        { kind: 'emulator', url: emulator.url },
        { projectId, privateKey: keys.privatePem }
      )
      // The next log segments are a full disk: the first compaction switches to one of them.
      const [current] = await listSegments(stateFile)
      const full: string[] = []
      for (let seq = current!.firstSeq + 1; seq < current!.firstSeq + 200; seq++) {
        const path = `${stateFile}.log-${String(seq).padStart(12, '0')}`
        await symlink('/dev/full', path)
        full.push(path)
      }
      const acknowledged: string[] = []
      let refused: unknown
      for (let i = 0; i < 50 && refused === undefined; i++) {
        try {
          const [invoice] = await sdk.invoice.create([
            new sdk.Invoice({ amount: 1_000 + i, name: 'Ana Souza', taxId: '012.345.678-90' })
          ])
          acknowledged.push(invoice!.id)
        } catch (error) {
          refused = error
        }
      }
      expect((refused as { status?: number }).status).toBe(500)
      expect(acknowledged.length).toBeGreaterThan(0)
      await expect(sdk.balance.get()).rejects.toMatchObject({ status: 500 })
      expect(lines.join('\n')).toContain('could not write its state')
      await expect(emulator.stop()).rejects.toMatchObject({ code: 'state_write_failed' })

      for (const path of full) await rm(path)
      const restarted = await start(stateFile)
      cleanups.push(() => restarted.emulator.stop())
      for (const id of acknowledged) expect((await restarted.sdk.invoice.get(id)).id).toBe(id)
    }
  )

  it('When the state file is a version 1 file of the previous release, Then it loads, continues, and is kept as version 2', async () => {
    const dir = await tempDir()
    const stateFile = join(dir, 'emulator-state.json')
    await copyFile(join(__dirname, '../fixtures/emulator-state-v1.json'), stateFile)
    const v1 = JSON.parse(await readFile(stateFile, 'utf8')) as EmulatorState & { version: 1 }

    let running = await start(stateFile)
    const expected: Partial<typeof v1> = { ...v1 }
    delete expected.version
    const loaded = running.emulator.core.state
    expect(loaded.invoices).toEqual(expected.invoices)
    expect(loaded.jobs).toEqual(expected.jobs)
    expect(running.emulator.publicKey).toBe(v1.signingKey.publicPem)
    expect(running.emulator.clock.now()).toBe(v1.clockNow)
    expect((JSON.parse(await readFile(stateFile, 'utf8')) as { version: number }).version).toBe(2)

    // Through the SDK: the lists answer from the migrated records.
    const tagged: string[] = []
    for await (const invoice of (await running.sdk.invoice.query({
      tags: ['run-a']
    })) as unknown as AsyncIterable<{ id: string }>)
      tagged.push(invoice.id)
    expect(tagged.sort()).toEqual(
      Object.values(v1.invoices)
        .filter((i) => i.tags.includes('run-a'))
        .map((i) => i.id)
        .sort()
    )
    const [transfer] = Object.values(v1.transfers)
    expect((await running.sdk.transfer.get(transfer!.id)).status).toBe('created')

    // The story goes on: the pending transfer is processed, pending payments happen.
    await running.emulator.clock.advance(3 * 24 * 3_600_000)
    expect((await running.sdk.transfer.get(transfer!.id)).status).toBe('success')
    const paidBefore = Object.values(v1.invoices).filter((i) => i.status === 'paid').length
    const paidNow = Object.values(running.emulator.core.state.invoices).filter(
      (i) => i.status === 'paid'
    ).length
    expect(paidNow).toBeGreaterThan(paidBefore)
    const state = inMemory(running.emulator)
    await running.emulator.stop()

    running = await start(stateFile)
    cleanups.push(() => running.emulator.stop())
    expect(running.emulator.core.state.invoices).toEqual(state.invoices)
    expect(running.emulator.core.state.transfers).toEqual(state.transfers)
    expect(await readdir(dir)).not.toContain('crashed.json')
  })
})
