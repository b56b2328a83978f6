/**
 * The transport seam's guard against silence: the SDK sets no timeout, so the agent abandons a call
 * whose connection says nothing for too long, and the caller sees a failure it can resolve.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import starkbank from 'starkbank'
import { emulatorAgent } from '../../src/main/stark/transport'
import { controlJson } from '../helpers/raw-client'
import { startSdkEmulator, type SdkEmulator } from '../helpers/sdk-emulator'

let env: SdkEmulator

beforeAll(async () => {
  env = await startSdkEmulator()
})
afterAll(() => env.stop())

describe('transport seam', () => {
  it('When Stark goes silent longer than the limit, Then the SDK call fails instead of hanging', async () => {
    starkbank.setHttpsAgent(emulatorAgent(env.emulator.url, 200))
    await controlJson(env.emulator.url, 'PUT', '/_emulator/faults', { latencyMs: 2_000 })
    const started = performance.now()
    await expect(env.sdk.balance.get()).rejects.toThrow()
    expect(performance.now() - started).toBeLessThan(1_500)

    await controlJson(env.emulator.url, 'PUT', '/_emulator/faults', {})
    expect((await env.sdk.balance.get()).amount).toBe(0)
  })

  it('When the emulator URL is not http, Then the error says which option to fix', () => {
    expect(() => emulatorAgent('https://127.0.0.1:1')).toThrow(/--emulator-url/)
  })
})
