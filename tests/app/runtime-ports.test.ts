// @vitest-environment node
/**
 * What the ports show of a runtime's status: the webhook's secret path segment never, neither in
 * the local webhook URL nor in the one registered at a public URL (a tunnel), since the header is on
 * a presenter's screen. The status is given as the runtime words it; the rest is kept as it is.
 */
import { describe, expect, it } from 'vitest'
import { runtimePorts } from '../../src/main/app/runtime-ports'
import type { Runtime } from '../../src/main/runtime/runtime'
import type { RuntimeStatus } from '../../src/shared/contract'

const SECRET = 'Zq8m2K4vXw1rT9yB'

const status: RuntimeStatus = {
  phase: 'running',
  error: null,
  environment: 'emulator',
  target: {
    kind: 'external',
    label: 'Emulator at 127.0.0.1:5001',
    emulatorUrl: 'http://127.0.0.1:5001',
    projectId: '1'
  },
  stateDir: '/state',
  webhook: {
    listening: true,
    url: `http://127.0.0.1:5000/stark/webhook/${SECRET}`,
    rejected: 0
  },
  clock: { now: 1_000, speed: 60 },
  publicUrl: {
    mode: 'localtunnel',
    host: 'https://localtunnel.me',
    state: 'up',
    url: 'https://quiet-fox.loca.lt',
    lastCheckAt: 900,
    reason: null,
    nextTryAt: null,
    notice: null,
    webhook: {
      state: 'registered',
      url: `https://quiet-fox.loca.lt/stark/webhook/${SECRET}`,
      reason: null
    }
  }
}

// Only what status() reads; an external emulator's clock is not the ports' to hold.
const runtime = {
  phase: 'idle',
  target: status.target,
  clock: undefined,
  status: () => status,
  onChange: () => () => undefined
} as unknown as Runtime

describe('the runtime status through the ports', () => {
  it('When the webhook is registered locally and at a public URL, Then neither URL shows its secret', () => {
    const shown = runtimePorts(runtime, { speed: 60 }).status()

    expect(JSON.stringify(shown)).not.toContain(SECRET)
    expect(shown.webhook.url).toBe('http://127.0.0.1:5000/stark/webhook/…')
    expect(shown.publicUrl?.webhook?.url).toBe('https://quiet-fox.loca.lt/stark/webhook/…')
    expect({ ...shown, webhook: null, publicUrl: { ...shown.publicUrl, webhook: null } }).toEqual({
      ...status,
      webhook: null,
      publicUrl: { ...status.publicUrl, webhook: null }
    })
  })
})
