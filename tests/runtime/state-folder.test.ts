/**
 * State folders: one per target, tied to their Stark, locked to one process, and never silently
 * started over when their journal or installation is lost.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { installationTag } from '../../src/main/engine/installation'
import { exists } from '../../src/main/runtime/state-folder'
import { CliProcess, killAllChildren } from '../helpers/cli-process'
import { codeOf, runtimeBench, type RuntimeBench } from './helpers'

let bench: RuntimeBench
beforeEach(async () => {
  bench = await runtimeBench()
})
afterEach(async () => {
  await killAllChildren()
  await bench.cleanup()
})

/**
 * Starts a runtime on the folder, starts a run (its first batch: one invoice) plus one more invoice,
 * and stops; returns the ids of the invoices the folder issued.
 */
async function twoInvoices(url: string, stateDir = join(bench.dir, 'state')): Promise<string[]> {
  const { runtime } = bench.runtime({ target: { kind: 'external', url }, stateDir })
  await runtime.start()
  await runtime.simulator.startRun({ batches: 1, minInvoices: 1, maxInvoices: 1 })
  await runtime.simulator.issueInvoice({ name: 'Ana Souza', amount: 1000 })
  await runtime.simulator.idle()
  const ids = runtime.simulator.snapshot().invoices.map((i) => i.id)
  await runtime.stop()
  expect(ids).toHaveLength(2)
  return ids
}

describe('one folder per target', () => {
  it('When no folder is given, Then each target gets its own folder under the base folder, recorded in target.json', async () => {
    const a = await bench.emulator()
    const b = await bench.emulator()
    const runtimes = [a, b].map(
      (e) =>
        bench.runtime({
          target: { kind: 'external', url: e.url },
          stateDir: undefined,
          baseDir: bench.dir
        }).runtime
    )
    expect(runtimes.map((r) => r.stateDir)).toEqual([
      join(bench.dir, `external-127.0.0.1-${a.port}`),
      join(bench.dir, `external-127.0.0.1-${b.port}`)
    ])
    for (const runtime of runtimes) {
      await runtime.start()
      await runtime.stop()
    }
    const record = JSON.parse(await readFile(join(runtimes[0]!.stateDir, 'target.json'), 'utf8'))
    expect(record).toMatchObject({
      version: 1,
      kind: 'external',
      identity: { kind: 'emulator', workspaceId: a.core.state.workspaceId }
    })
    expect(
      bench.runtime({ target: { kind: 'embedded' }, stateDir: undefined, baseDir: bench.dir })
        .runtime.stateDir
    ).toBe(join(bench.dir, 'emulator'))
  })

  it('When a folder is reopened against another emulator, Then it is refused with state_mismatch naming both and the folder to use, and nothing is written', async () => {
    const a = await bench.emulator()
    const b = await bench.emulator({ seed: 99 })
    await twoInvoices(a.url)
    const journal = await readFile(join(bench.dir, 'state', 'journal.ndjson'), 'utf8')

    const { runtime } = bench.runtime({
      target: { kind: 'external', url: b.url },
      baseDir: bench.dir
    })
    const refusal = await codeOf(runtime.start())
    expect(refusal.code).toBe('state_mismatch')
    expect(refusal.message).toContain(`workspace ${a.core.state.workspaceId}`)
    expect(refusal.message).toContain(`workspace ${b.core.state.workspaceId}`)
    expect(refusal.message).toContain(join(bench.dir, `external-127.0.0.1-${b.port}`))
    expect(runtime.phase).toBe('failed')
    expect(runtime.status().error?.code).toBe('state_mismatch')
    expect(await readFile(join(bench.dir, 'state', 'journal.ndjson'), 'utf8')).toBe(journal)
    expect(Object.keys(b.core.state.invoices)).toEqual([])
    // Refused cleanly: the lock was released, so the right emulator still opens the folder.
    const again = bench.runtime({ target: { kind: 'external', url: a.url } }).runtime
    await again.start()
    expect(again.simulator.snapshot().totals.invoices).toBe(2)
  })

  it("When a new emulator answers on the same port as the folder's own, Then the default folder is refused and a folder named for the new emulator is suggested", async () => {
    const a = await bench.emulator()
    const port = a.port
    await twoInvoices(a.url, join(bench.dir, `external-127.0.0.1-${port}`))
    await a.stop()
    bench.emulators.splice(bench.emulators.indexOf(a), 1)
    const b = await bench.emulator({ port, seed: 7 })
    const { runtime } = bench.runtime({
      target: { kind: 'external', url: b.url },
      stateDir: undefined,
      baseDir: bench.dir
    })
    const refusal = await codeOf(runtime.start())
    expect(refusal.code).toBe('state_mismatch')
    expect(refusal.message).toMatch(
      new RegExp(
        `use a folder of this Stark's own: ${bench.dir}/external-127\\.0\\.0\\.1-${port}-\\S+`
      )
    )
  })
})

describe('lost files', () => {
  it('When the journal was deleted but Stark holds invoices tagged with the installation, Then start is refused with journal_missing and no new run is made', async () => {
    const emulator = await bench.emulator()
    const invoiceIds = await twoInvoices(emulator.url)
    const stateDir = join(bench.dir, 'state')
    const { installationId } = JSON.parse(
      await readFile(join(stateDir, 'installation.json'), 'utf8')
    ) as { installationId: string }
    for (const id of invoiceIds)
      expect(emulator.core.state.invoices[id]!.tags).toContain(installationTag(installationId))
    await rm(join(stateDir, 'journal.ndjson'))

    const { runtime } = bench.runtime({ target: { kind: 'external', url: emulator.url } })
    const refusal = await codeOf(runtime.start())
    expect(refusal.code).toBe('journal_missing')
    expect(refusal.message).toContain(join(stateDir, 'journal.ndjson'))
    expect(refusal.message).toContain('Stark holds 2 invoices')
    expect(await exists(join(stateDir, 'journal.ndjson'))).toBe(false)
    expect(Object.keys(emulator.core.state.invoices).sort()).toEqual([...invoiceIds].sort())
  })

  it('When the journal and target.json were both deleted, Then installation.json still finds the invoices at Stark: journal_missing', async () => {
    const emulator = await bench.emulator()
    await twoInvoices(emulator.url)
    const stateDir = join(bench.dir, 'state')
    await rm(join(stateDir, 'journal.ndjson'))
    await rm(join(stateDir, 'target.json'))
    const { runtime } = bench.runtime({ target: { kind: 'external', url: emulator.url } })
    expect(await codeOf(runtime.start())).toMatchObject({ code: 'journal_missing' })
    expect(await exists(join(stateDir, 'target.json'))).toBe(false)
  })

  it('When the journal is missing and Stark holds nothing of this installation, Then it starts (the first start died before issuing)', async () => {
    const emulator = await bench.emulator()
    const first = bench.runtime({ target: { kind: 'external', url: emulator.url } }).runtime
    await first.start()
    await first.stop()
    await rm(join(bench.dir, 'state', 'journal.ndjson'), { force: true })
    const second = bench.runtime({ target: { kind: 'external', url: emulator.url } }).runtime
    await second.start()
    expect(second.phase).toBe('running')
  })

  it('When installation.json was deleted from a used folder, Then start is refused with state_damaged and no new secret is made', async () => {
    const emulator = await bench.emulator()
    await twoInvoices(emulator.url)
    const file = join(bench.dir, 'state', 'installation.json')
    await rm(file)
    const { runtime } = bench.runtime({ target: { kind: 'external', url: emulator.url } })
    const refusal = await codeOf(runtime.start())
    expect(refusal).toMatchObject({ code: 'state_damaged' })
    expect(refusal.message).toContain(file)
    expect(await exists(file)).toBe(false)
  })

  it("When the embedded emulator's state file was deleted or damaged, Then start is refused with state_damaged naming the file", async () => {
    const stateDir = join(bench.dir, 'state')
    const first = bench.runtime({ target: { kind: 'embedded', speed: 0 } }).runtime
    await first.start()
    await first.stop()
    const file = join(stateDir, 'emulator-state.json')

    await writeFile(file, '{"version": 1, "invoices": {', 'utf8')
    const damaged = await codeOf(
      bench.runtime({ target: { kind: 'embedded', speed: 0 } }).runtime.start()
    )
    expect(damaged.code).toBe('state_damaged')
    expect(damaged.message).toContain(file)

    await rm(file)
    const missing = await codeOf(
      bench.runtime({ target: { kind: 'embedded', speed: 0 } }).runtime.start()
    )
    expect(missing.code).toBe('state_damaged')
    expect(missing.message).toContain(file)
    expect(await exists(file)).toBe(false)
  })

  it('When a folder from an earlier release (journal, old installation.json, no target.json) is opened, Then it is adopted and its secret kept', async () => {
    const emulator = await bench.emulator()
    await twoInvoices(emulator.url)
    const stateDir = join(bench.dir, 'state')
    const { webhookSecret } = JSON.parse(
      await readFile(join(stateDir, 'installation.json'), 'utf8')
    ) as { webhookSecret: string }
    await writeFile(join(stateDir, 'installation.json'), JSON.stringify({ webhookSecret }))
    await rm(join(stateDir, 'target.json'))
    const { runtime, lines } = bench.runtime({ target: { kind: 'external', url: emulator.url } })
    await runtime.start()
    expect(runtime.webhookUrl).toContain(webhookSecret)
    expect(lines.info.join('\n')).toContain('comes from an earlier release')
    expect(await exists(join(stateDir, 'target.json'))).toBe(true)
    expect(runtime.simulator.snapshot().totals.invoices).toBe(2)
  })
})

describe('the folder lock', () => {
  it('When another process holds the folder, Then start is refused naming its pid; once that process is killed, Then the lock is taken over at once', async () => {
    const emulator = await bench.emulator()
    const stateDir = join(bench.dir, 'state')
    await mkdir(stateDir, { recursive: true })
    const holder = new CliProcess('tests/runtime/fixtures/hold-lock.ts', [stateDir])
    const locked = await holder.waitForJson((l) => l.type === 'locked', 20_000, 'locked line')
    expect(locked.pid).toBe(holder.pid)

    const { runtime } = bench.runtime({ target: { kind: 'external', url: emulator.url } })
    const refusal = await codeOf(runtime.start())
    expect(refusal.code).toBe('state_locked')
    expect(refusal.message).toContain(`process ${holder.pid}`)
    expect(await exists(join(stateDir, 'journal.ndjson'))).toBe(false)

    holder.kill('SIGKILL')
    await holder.exited
    const next = bench.runtime({ target: { kind: 'external', url: emulator.url } }).runtime
    await next.start()
    expect(next.phase).toBe('running')
    // And while this one runs, the folder is refused to others in turn.
    const third = new CliProcess('tests/runtime/fixtures/hold-lock.ts', [stateDir])
    const refused = await third.waitForJson((l) => l.type === 'refused', 20_000, 'refusal')
    expect(refused.message).toContain(`process ${process.pid}`)
  })
})
