/**
 * Starts an in-process emulator on 127.0.0.1:0 and points the real `starkbank` SDK at it through the
 * transport seam, with a freshly generated project key. The clock is manual (speed 0) unless asked.
 */
import { connectStark, type StarkSdk } from '../../src/main/stark/sdk'
import { generateKeyPair, type KeyPair } from '../../src/main/stark/keys'
import {
  startEmulator,
  type Emulator,
  type EmulatorOptions
} from '../../src/main/emulator/emulator'

export interface SdkEmulator {
  emulator: Emulator
  sdk: StarkSdk
  keys: KeyPair
  projectId: string
  stop(): Promise<void>
}

export async function startSdkEmulator(options: EmulatorOptions = {}): Promise<SdkEmulator> {
  const emulator = await startEmulator({ speed: 0, seed: 42, ...options })
  const keys = generateKeyPair()
  const projectId = emulator.registerProject(keys.publicPem)
  const sdk = connectStark(
    { kind: 'emulator', url: emulator.url },
    { projectId, privateKey: keys.privatePem }
  )
  return { emulator, sdk, keys, projectId, stop: () => emulator.stop() }
}

/** Collects every error thrown by `fn`, so tests can assert on Stark's error envelope. */
export async function starkErrors(
  fn: () => Promise<unknown>
): Promise<{ status?: number; codes: string[] }> {
  try {
    await fn()
  } catch (error) {
    const e = error as { status?: number; errors?: { code: string }[] }
    return { status: e.status, codes: (e.errors ?? []).map((x) => x.code) }
  }
  throw new Error('expected the call to fail')
}
