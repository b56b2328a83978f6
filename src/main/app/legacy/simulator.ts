/**
 * The facade seen through `SimulatorPort`: the facade already returns these shapes and throws
 * `AppError`s with stable codes; the one thing added here is that the snapshot shown to a front end
 * never carries the webhook's secret path (it would be on a presenter's screen).
 */
import type { Simulator } from '../../engine/simulator'
import type { SimulatorPort } from '../ports'
import { hideWebhookSecret } from '../redact'

export function legacySimulator(sim: Simulator): SimulatorPort {
  return {
    startRun: (plan) => sim.startRun(plan),
    pause: () => sim.pause(),
    resume: () => sim.resume(),
    stopRun: (reason) => sim.stopRun(reason),
    issueBatchNow: () => sim.issueBatchNow(),
    issueInvoice: (options) => sim.issueInvoice(options),
    replayEvent: (eventId) => sim.replayEvent(eventId),
    retryTransfer: (invoiceId) => sim.retryTransfer(invoiceId),
    snapshot: () => {
      const snapshot = sim.snapshot()
      return { ...snapshot, webhookUrl: hideWebhookSecret(snapshot.webhookUrl) }
    }
  }
}
