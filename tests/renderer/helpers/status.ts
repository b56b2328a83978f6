/** A running embedded emulator at 1440x, as the host reports it; tests change what they need. */
import type { RuntimeStatus } from '../../../src/shared/contract'
import { recordedEntries } from './recorded'

export function runningStatus(overrides: Partial<RuntimeStatus> = {}): RuntimeStatus {
  return {
    phase: 'running',
    error: null,
    environment: 'emulator',
    target: { kind: 'embedded', label: 'Embedded emulator', emulatorUrl: null, projectId: null },
    stateDir: '/tmp/x',
    webhook: { listening: true, url: null, rejected: 0 },
    clock: { now: recordedEntries.at(-1)!.at, speed: 1440 },
    publicUrl: null,
    ...overrides
  }
}
