/**
 * Restart: with a state file, the emulator writes its state durably and, started again on the same
 * file, continues the same story (same key, same projects, same clock, pending payments still happen).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startEmulator, type Emulator } from '../../src/main/emulator/emulator'
import { generateKeyPair } from '../../src/main/stark/keys'
import { connectStark } from '../../src/main/stark/sdk'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function tempFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ssim-emulator-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  return join(dir, 'state.json')
}

describe('emulator restart', () => {
  it('When stopped and started on the same state file, Then the story continues', async () => {
    const stateFile = await tempFile()
    const keys = generateKeyPair()
    const behaviour = {
      autoPayRatio: 1,
      payDelaySeconds: [600, 600] as [number, number],
      creditDelaySeconds: [60, 60] as [number, number]
    }

    let emulator: Emulator = await startEmulator({ stateFile, speed: 0, seed: 7, behaviour })
    const projectId = emulator.registerProject(keys.publicPem)
    let sdk = connectStark(
      { kind: 'emulator', url: emulator.url },
      { projectId, privateKey: keys.privatePem }
    )
    const [invoice] = await sdk.invoice.create([
      new sdk.Invoice({ amount: 10_000, name: 'Ana Souza', taxId: '012.345.678-90' })
    ])
    await emulator.clock.advance(300_000)
    const clockBefore = emulator.clock.now()
    const publicKey = emulator.publicKey
    await emulator.stop()

    emulator = await startEmulator({ stateFile, speed: 0, behaviour })
    cleanups.push(() => emulator.stop())
    expect(emulator.publicKey).toBe(publicKey)
    expect(emulator.clock.now()).toBe(clockBefore)
    sdk = connectStark(
      { kind: 'emulator', url: emulator.url },
      { projectId, privateKey: keys.privatePem }
    )
    expect((await sdk.invoice.get(invoice!.id)).status).toBe('created')

    // The payment scheduled before the restart (at +600 s) still happens, then the credit.
    await emulator.clock.advance(400_000)
    const paid = await sdk.invoice.get(invoice!.id)
    expect(paid.status).toBe('paid')
    const types: string[] = []
    const logs = (await sdk.invoice.log.query({
      invoiceIds: [invoice!.id]
    })) as unknown as AsyncIterable<{ type: string }>
    for await (const log of logs) types.push(log.type)
    expect(types.sort()).toEqual(['created', 'credited', 'paid'])
    expect((await sdk.balance.get()).amount).toBe(10_000 - 50)
  })

  it('When the state file holds another version, Then start-up fails with a clear message', async () => {
    const stateFile = await tempFile()
    const { writeFile } = await import('node:fs/promises')
    await writeFile(stateFile, JSON.stringify({ version: 99 }))
    await expect(startEmulator({ stateFile })).rejects.toThrow(/version 99/)
  })
})
