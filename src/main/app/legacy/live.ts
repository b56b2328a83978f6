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
import type { JournalFeed, LiveRuntime } from '../ports'
import { hideWebhookSecret } from '../redact'
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
  // Kept for the callers: the journal reads its own file and logs a throwing listener itself.
  _stateDir: string,
  _onListenerError: (error: unknown) => void
): LegacyLive {
  // The facade's journal is the feed: replay from any seq, pages from disk, async batches.
  const journal: JournalFeed = {
    subscribe: (from, onBatch) => sim.subscribe(from, onBatch),
    entries: (query) => sim.entries(query),
    lastSeq: () => sim.lastSeq
  }
  return {
    simulator: legacySimulator(sim),
    journal,
    documents: sdkDocuments(starkbank),
    emulator: target.emulatorUrl ? controlApiEmulator(target.emulatorUrl) : undefined,
    // Every refusal is counted, though only a sample of them is journaled.
    rejected: () => sim.snapshot().rejected.total,
    close: () => undefined
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
