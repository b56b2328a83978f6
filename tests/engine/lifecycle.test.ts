/**
 * Every command pressed at the wrong time is refused with a stable code and a message that says what
 * to do, and every command pressed at the right time answers with what happened: the facade's
 * contract with the front ends (the desktop buttons, the dashboard, the CLI).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { isAppError } from '../../src/shared/errors'
import { startEngineEnv, type EngineEnv } from '../helpers/engine-env'
import { reopenEngine } from '../helpers/engine-restart'
import { ofType } from '../helpers/engine-steps'

const NO_PAYMENTS = { behaviour: { autoPayRatio: 0 } }

let env: EngineEnv | undefined
afterEach(async () => {
  await env?.cleanup()
  env = undefined
})

/** The code and message of what `work` was refused with. */
async function refusal(work: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e
  )
  if (!isAppError(error)) throw new Error(`expected an AppError, got ${String(error)}`)
  return { code: error.code, message: error.message }
}

describe('refusals', () => {
  it('When no run was started, Then every run command is refused with no_run and says to start one', async () => {
    env = await startEngineEnv(NO_PAYMENTS)
    const sim = env.sim
    for (const command of [
      sim.pause(),
      sim.resume(),
      sim.stopRun(),
      sim.issueBatchNow(),
      sim.issueInvoice({ amount: 1_000 })
    ]) {
      expect(await refusal(command)).toMatchObject({
        code: 'no_run',
        message: /Start a run first/
      })
    }
  })

  it('When a run is going, Then a second start is refused with run_active; a bad plan with invalid_plan', async () => {
    env = await startEngineEnv(NO_PAYMENTS)
    const started = await env.sim.startRun({ batches: 2 })

    expect(started.sizes).toHaveLength(2)
    expect(await refusal(env.sim.startRun())).toMatchObject({
      code: 'run_active',
      message: new RegExp(`Run ${started.runId} is still going. Stop it`)
    })
    expect(await refusal(env.sim.startRun({ batches: 0 }))).toMatchObject({
      code: 'invalid_plan',
      message: /batches .*Fix those values/
    })
    expect(await refusal(env.sim.startRun({ minInvoices: 5, maxInvoices: 2 }))).toMatchObject({
      code: 'invalid_plan'
    })
  })

  it('When the run was stopped, Then pause, resume, next batch and one invoice are refused with run_ended, and stop again just answers the state', async () => {
    env = await startEngineEnv(NO_PAYMENTS)
    const { runId } = await env.sim.startRun({ batches: 2 })
    const stopped = await env.sim.stopRun('enough')

    expect(stopped).toEqual({ runId, paused: false, stopped: true, completed: false })
    for (const command of [
      env.sim.pause(),
      env.sim.resume(),
      env.sim.issueBatchNow(),
      env.sim.issueInvoice()
    ]) {
      expect(await refusal(command)).toMatchObject({
        code: 'run_ended',
        message: /Start a new run/
      })
    }
    expect(await env.sim.stopRun('again')).toMatchObject({ runId, stopped: true })
    expect(ofType(env.entries, 'run.stopped')).toHaveLength(1)
  })

  it('When pause and resume are pressed twice, Then each is recorded once and answers the run state', async () => {
    env = await startEngineEnv(NO_PAYMENTS)
    const { runId } = await env.sim.startRun({ batches: 2 })

    const paused = await Promise.all([env.sim.pause(), env.sim.pause()])
    const resumed = await Promise.all([env.sim.resume(), env.sim.resume()])

    expect(paused).toEqual([
      { runId, paused: true, stopped: false, completed: false },
      { runId, paused: true, stopped: false, completed: false }
    ])
    expect(resumed.map((r) => r.paused)).toEqual([false, false])
    expect(ofType(env.entries, 'run.paused')).toHaveLength(1)
    expect(ofType(env.entries, 'run.resumed')).toHaveLength(1)
  })

  it('When an event or a transfer is named that does not exist, Then the refusal is not_found', async () => {
    env = await startEngineEnv(NO_PAYMENTS)
    await env.sim.startRun({ batches: 1 })

    expect(await refusal(env.sim.replayEvent('1234567890123456'))).toMatchObject({
      code: 'not_found',
      message: /Stark has no event 1234567890123456/
    })
    expect(await refusal(env.sim.retryTransfer('1234567890123456'))).toMatchObject({
      code: 'not_found'
    })
  })
})

describe("Stark's answers", () => {
  it('When Stark refuses a one-click invoice or "next batch now", Then the refusal is stark_refused; when its answer is lost, outcome_unknown', async () => {
    // Arrange: the first two calls after the run's first batch are refused, the third is lost
    let calls = 0
    env = await startEngineEnv({
      ...NO_PAYMENTS,
      wrapStark: (stark) => ({
        ...stark,
        async createInvoices(invoices) {
          calls++
          if (calls === 2 || calls === 3)
            throw Object.assign(new Error('Stark answered 400'), {
              status: 400,
              errors: [{ code: 'invalidTaxId', message: 'tax id is not valid' }]
            })
          if (calls === 4) throw Object.assign(new Error('Stark answered 500'), { status: 500 })
          return stark.createInvoices(invoices)
        }
      })
    })
    await env.sim.startRun({ batches: 3 })

    // Act and Assert
    expect(await refusal(env.sim.issueInvoice({ amount: 1_000 }))).toMatchObject({
      code: 'stark_refused',
      message: /invalidTaxId.*Check the name and amount/
    })
    expect(await refusal(env.sim.issueBatchNow())).toMatchObject({
      code: 'stark_refused',
      message: /Stark refused b1/
    })
    expect(await refusal(env.sim.issueInvoice({ amount: 1_000 }))).toMatchObject({
      code: 'outcome_unknown',
      message: /checked and retried by itself/
    })
  })
})

describe('engine lifecycle', () => {
  it('When start() is called twice at once, Then one webhook server answers both and the engine is running', async () => {
    env = await startEngineEnv({ ...NO_PAYMENTS, register: false })
    await env.sim.stop()
    const { sim } = await reopenEngine(env)
    expect(sim.phase).toBe('idle')
    expect(await refusal(sim.startRun())).toMatchObject({
      code: 'not_running',
      message: /has not been started yet/
    })

    const [a, b] = await Promise.all([sim.start(), sim.start()])

    expect(a.webhookUrl).toBe(b.webhookUrl)
    expect(sim.phase).toBe('running')
  })

  it('When the engine was stopped, Then start() and every command are refused with not_running, and stop() again is harmless', async () => {
    env = await startEngineEnv(NO_PAYMENTS)
    await env.sim.startRun({ batches: 1 })
    await env.sim.stop()

    expect(env.sim.phase).toBe('stopped')
    expect(await refusal(env.sim.start())).toMatchObject({
      code: 'not_running',
      message: /was stopped/
    })
    for (const command of [env.sim.issueBatchNow(), env.sim.catchUp(), env.sim.stopRun()])
      expect(await refusal(command)).toMatchObject({ code: 'not_running' })
    await expect(env.sim.stop()).resolves.toBeUndefined()
  })
})
