/**
 * Runs one host operation on behalf of a control: marks it busy, and records the failed result's
 * message (or a thrown transport error, with what to do) next to that control. Nothing fails
 * silently: every path ends in `done` or `error`.
 */
import type { Result } from '../../../shared/contract'
import type { ErrorCode } from '../../../shared/errors'
import type { AppState, ControlState } from './types'

type Set = (fn: (s: AppState) => Partial<AppState>) => void

const idle: ControlState = { busy: false, error: null, done: null }

function patch(set: Set, key: string, next: Partial<ControlState>): void {
  set((s) => ({
    controls: { ...s.controls, [key]: { ...(s.controls[key] ?? idle), ...next } }
  }))
}

/** The message shown when the host could not be reached at all (not an expected failure). */
export function transportMessage(error: unknown): string {
  const detail = error instanceof Error ? error.message : String(error)
  return `The engine did not answer (${detail}). Check that the app or \`npm run headless -- --ui\` is still running, then try again.`
}

/**
 * Calls `op` for the control `key`. Returns the data on success (and sets `done` from `describe`),
 * or null after recording the error (and telling `onFailure` its code, for callers that act on it).
 */
export async function call<T>(
  set: Set,
  key: string,
  op: () => Promise<Result<T>>,
  describe?: (data: T) => string | null,
  onFailure?: (code: ErrorCode) => void
): Promise<T | null> {
  patch(set, key, { busy: true, error: null, done: null })
  try {
    const result = await op()
    if (result.ok) {
      patch(set, key, { busy: false, done: describe ? describe(result.data) : null })
      return result.data
    }
    patch(set, key, { busy: false, error: result.message })
    onFailure?.(result.code)
  } catch (error) {
    patch(set, key, { busy: false, error: transportMessage(error) })
  }
  return null
}

/** Forgets a control's last outcome (a message that no longer holds). */
export function clearControl(set: Set, key: string): void {
  patch(set, key, { error: null, done: null })
}

export const controlOf = (s: AppState, key: string): ControlState => s.controls[key] ?? idle
