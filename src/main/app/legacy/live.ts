/**
 * Builds the parts a front end reaches (`LiveRuntime`) and the header's status from today's facade
 * and target. Temporary: the runtime (src/main/runtime) exposes `simulator`, `target`, `status()`
 * and emulator controls itself, and these adapters shrink to a few lines.
 */
import starkbank from 'starkbank'
import type { RuntimePhase, RuntimeStatus } from '../../../shared/contract'
import type { ErrorCode } from '../../../shared/errors'
import type { Simulator } from '../../engine/simulator'
import type { Clock } from '../../time/clock'
import { sdkDocuments } from '../documents'
import { controlApiEmulator } from '../emulator-controls'
import type { LiveRuntime } from '../ports'
import { hideWebhookSecret } from '../redact'
import { legacyJournalFeed } from './journal-feed'
import { legacySimulator } from './simulator'

export interface LegacyTarget {
  kind: 'embedded' | 'external' | 'sandbox'
  emulatorUrl?: string
  projectId?: string
  clock: Clock & { speed?: number | 'max' }
}

export interface LegacyLive extends LiveRuntime {
  /** Webhook deliveries refused, as the journal recorded them. */
  rejected(): number
  close(): void
}

export function legacyLive(
  sim: Simulator,
  target: LegacyTarget,
  stateDir: string,
  onListenerError: (error: unknown) => void
): LegacyLive {
  let rejected = 0
  const journal = legacyJournalFeed(sim, stateDir, onListenerError)
  const stopCounting = journal.subscribe({ afterSeq: 0 }, (entries) => {
    for (const entry of entries) if (entry.type === 'webhook.rejected') rejected++
  })
  return {
    simulator: legacySimulator(sim),
    journal,
    documents: sdkDocuments(starkbank),
    emulator: target.emulatorUrl ? controlApiEmulator(target.emulatorUrl) : undefined,
    rejected: () => rejected,
    close() {
      stopCounting()
      journal.close()
    }
  }
}

const LABELS = {
  embedded: 'Embedded emulator',
  external: 'External emulator',
  sandbox: 'Stark sandbox'
} as const

export function legacyStatus(parts: {
  phase: RuntimePhase
  error?: { code: ErrorCode; message: string } | null
  target: LegacyTarget | { kind: LegacyTarget['kind']; emulatorUrl?: string; projectId?: string }
  stateDir: string
  webhookUrl: string | undefined
  rejected: number
  clock?: LegacyTarget['clock']
}): RuntimeStatus {
  const { target } = parts
  return {
    phase: parts.phase,
    error: parts.error ?? null,
    environment: target.kind === 'sandbox' ? 'sandbox' : 'emulator',
    target: {
      kind: target.kind,
      label:
        target.kind === 'sandbox' && target.projectId
          ? `${LABELS.sandbox} project ${target.projectId}`
          : LABELS[target.kind],
      emulatorUrl: target.emulatorUrl ?? null,
      projectId: target.projectId ?? null
    },
    stateDir: parts.stateDir,
    webhook: {
      listening: parts.phase === 'running' && parts.webhookUrl !== undefined,
      url: hideWebhookSecret(parts.webhookUrl) ?? null,
      rejected: parts.rejected
    },
    clock: {
      now: parts.clock?.now() ?? 0,
      speed: parts.clock?.speed ?? 1
    }
  }
}
