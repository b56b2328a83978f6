/**
 * The unsigned control API on the emulator's own loopback server, for tests, demos and other tools.
 * It can register projects, move the clock, pay an invoice now, inject faults and read counts.
 */
import { z } from 'zod'
import { registerProject } from './projects'
import { faultsSchema } from './config'
import type { EmulatorCore } from './core'
import { StarkError } from './errors'
import type { Router } from './router'
import type { VirtualClock } from '../time/clock'
import { MAX_NUMERIC_SPEED } from '../time/speed'

const clockBody = z.union([
  z
    .object({ speed: z.union([z.number().min(0).max(MAX_NUMERIC_SPEED), z.literal('max')]) })
    .strict(),
  z
    .object({
      advanceSeconds: z
        .number()
        .min(0)
        .max(10 * 365 * 86_400)
    })
    .strict(),
  z.object({}).strict()
])

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {})
  if (!result.success) {
    const message = result.error.issues
      .map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
      .join('; ')
    throw StarkError.of('invalidJson', message)
  }
  return result.data
}

export interface ControlDeps {
  core: EmulatorCore
  clock: VirtualClock
  /** Pays one invoice now; provided by the invoice module. */
  payNow: (invoiceId: string) => Promise<unknown>
}

export function registerControlRoutes(control: Router, { core, clock, payNow }: ControlDeps): void {
  const clockView = (): Record<string, unknown> => ({
    now: new Date(clock.now()).toISOString(),
    nowMs: clock.now(),
    speed: clock.speed
  })

  control.add('POST', '/_emulator/projects', (req) => {
    const body = parse(
      z.object({
        publicKey: z.string(),
        projectId: z
          .string()
          .regex(/^\d{1,20}$/)
          .optional()
      }),
      req.body
    )
    return { projectId: registerProject(core, body.publicKey, body.projectId) }
  })

  control.add('GET', '/_emulator/clock', clockView)
  control.add('POST', '/_emulator/clock', async (req) => {
    const body = parse(clockBody, req.body)
    if ('speed' in body) clock.setSpeed(body.speed)
    if ('advanceSeconds' in body) await clock.advance(body.advanceSeconds * 1000)
    return clockView()
  })

  control.add('POST', '/_emulator/invoices/:id/pay', async (req) => ({
    // Tracked like a timer's work: at speed max, time must not jump while the payment is made.
    invoice: await clock.track(payNow(req.params.id as string), 'pay now')
  }))

  control.add('GET', '/_emulator/faults', () => core.faults)
  control.add('PUT', '/_emulator/faults', (req) => {
    core.faults = parse(faultsSchema, req.body)
    return core.faults
  })

  control.add('GET', '/_emulator/state', () => stateCounts(core))
}

/** Counts read from the indexes, so that polling them costs nothing at any size. */
export function stateCounts(core: EmulatorCore): Record<string, unknown> {
  const { indexes } = core
  return {
    now: new Date(core.now()).toISOString(),
    invoices: indexes.invoices.counts('status'),
    transfers: indexes.transfers.counts('status'),
    events: {
      delivered: indexes.events.count('isDelivered', 'true'),
      pending: indexes.events.count('isDelivered', 'false')
    },
    attempts: indexes.attempts.size,
    balance: core.state.balance,
    scheduledJobs: indexes.jobs.size,
    /** What the emulator wrote to disk since it started (log commits and snapshots). */
    storage: core.store.stats()
  }
}
