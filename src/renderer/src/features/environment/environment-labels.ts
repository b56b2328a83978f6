/** The environments' names as the window says them, and the switch's progress line. */
import type { Environment } from '../../../../shared/environment'

export const ENVIRONMENT_LABEL: Record<Environment, string> = {
  emulator: 'Emulator',
  sandbox: 'Sandbox'
}

export const lowerLabel = (e: Environment): string => ENVIRONMENT_LABEL[e].toLowerCase()

/** "Stopping the emulator…" / "Starting the sandbox…" while a phase is in between, else null. */
export function switchProgress(phase: string | undefined, environment: Environment): string | null {
  if (phase === 'stopping') return `Stopping the ${lowerLabel(environment)}…`
  if (phase === 'starting') return `Starting the ${lowerLabel(environment)}…`
  return null
}
