// @vitest-environment node
/**
 * Stark's speed on the real runtime (embedded emulator, chosen with deferClock as the desktop app
 * does), driven through the handlers: the chosen speed is honoured, `max` included, except that at
 * max with no active run the emulator's clock is held still; a run that starts or resumes gets the
 * chosen speed back.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { downloadHost } from '../../src/main/app/download-host'
import { createHandlers } from '../../src/main/app/handlers'
import { confPrefs } from '../../src/main/app/prefs'
import { runtimePorts, type RuntimePorts } from '../../src/main/app/runtime-ports'
import { createRuntime, type Runtime } from '../../src/main/runtime/runtime'
import type { ClockSpeed } from '../../src/main/time/clock'
import type { Handlers, Result } from '../../src/shared/contract'

const data = <T>(result: Result<T>): T => {
  if (!result.ok) throw new Error(`expected ok, got ${result.code}: ${result.message}`)
  return result.data
}
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined }
// Long enough that no run started here ends by itself before the test ends it.
const PLAN = {
  batches: 8,
  intervalMs: 24 * 3_600_000,
  minInvoices: 1,
  maxInvoices: 1,
  minAmount: 1_000,
  maxAmount: 2_000,
  settleMs: 3_600_000
}

describe('the speed the desktop app runs Stark at', () => {
  let dir: string
  let ports: RuntimePorts | undefined
  let handlers: Handlers

  async function launch(speed: ClockSpeed): Promise<Runtime> {
    ports?.close()
    await ports?.runtime.stop()
    const runtime = createRuntime({
      realTime: () => Date.now(),
      target: { kind: 'embedded', speed, seed: 5, deferClock: true },
      stateDir: join(dir, 'state'),
      logger: quiet
    })
    ports = runtimePorts(runtime, { speed, logger: quiet })
    handlers = createHandlers({
      info: { name: 'Stark Sandbox Simulator', version: '0.0.0', host: 'desktop' },
      status: ports.status,
      live: ports.live,
      prefs: confPrefs(dir),
      host: downloadHost()
    })
    await ports.start()
    expect(runtime.phase).toBe('running')
    return runtime
  }
  const clockSpeed = (runtime: Runtime): ClockSpeed | undefined => runtime.clock?.speed

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ssim-speed-'))
  })
  afterEach(async () => {
    ports?.close()
    await ports?.runtime.stop()
    ports = undefined
    await rm(dir, { recursive: true, force: true })
  })

  it('When max is chosen and no run is active, Then the clock is held but max is shown; a run gets max, stopping it holds again', async () => {
    const runtime = await launch('max')

    expect(clockSpeed(runtime)).toBe(0)
    expect(data(await handlers['runtime:status'](undefined)).clock.speed).toBe('max')
    data(await handlers['run:start']({ plan: PLAN }))
    expect(clockSpeed(runtime)).toBe('max')
    data(await handlers['run:stop']({ reason: 'test' }))
    expect(clockSpeed(runtime)).toBe(0)
  })

  it('When a run at max is paused, Then Stark time stands still until Resume, which gives max back', async () => {
    const runtime = await launch('max')
    data(await handlers['run:start']({ plan: PLAN }))

    data(await handlers['run:pause'](undefined))
    expect(clockSpeed(runtime)).toBe(0)
    const still = runtime.clock?.now()
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(runtime.clock?.now()).toBe(still)

    data(await handlers['run:resume'](undefined))
    expect(clockSpeed(runtime)).toBe('max')
  })

  it('When the speed is changed with no active run, Then a number runs at once and max is held', async () => {
    const runtime = await launch(1)
    expect(clockSpeed(runtime)).toBe(1)

    expect(data(await handlers['emulator:clock']({ speed: 60 })).speed).toBe(60)
    expect(clockSpeed(runtime)).toBe(60)
    expect(data(await handlers['emulator:clock']({ speed: 'max' })).speed).toBe('max')
    expect(clockSpeed(runtime)).toBe(0)
    // Held still, it still moves when told to.
    const before = runtime.clock?.now() ?? 0
    const moved = data(await handlers['emulator:clock']({ advanceSeconds: 600 }))
    expect(moved.now - before).toBe(600_000)
    expect(moved.speed).toBe('max')
  })

  it('When the app is relaunched at max on a folder whose run is active, Then that run resumes at max', async () => {
    const first = await launch(0)
    data(await handlers['run:start']({ plan: PLAN }))
    expect(clockSpeed(first)).toBe(0)

    const again = await launch('max')

    expect(clockSpeed(again)).toBe('max')
    expect(data(await handlers['snapshot:get'](undefined)).run?.stopped).toBe(false)
  })
})
