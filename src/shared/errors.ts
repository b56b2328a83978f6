/**
 * Expected failures carry a stable code and a message that says what happened and what to do. The
 * front ends (CLI, desktop renderer, browser dashboard) show the message and branch on the code; bugs
 * stay plain Errors. Pure TypeScript: shared by main, renderer and CLI.
 */
export const ERROR_CODES = [
  /** An argument did not match its schema (IPC, dashboard socket, CLI flags). */
  'invalid_args',
  /** The run plan is not valid. */
  'invalid_plan',
  /** The command needs a run and none was started. */
  'no_run',
  /** A run is still going: stop it before starting another. */
  'run_active',
  /** The run is stopped or complete: it issues nothing more. */
  'run_ended',
  /** The runtime is not running (idle, starting, stopping or stopped) for this command. */
  'not_running',
  /** Stark answered 400: the call had no effect. */
  'stark_refused',
  /** Stark's answer was lost (timeout, 5xx, network): the call may have gone through; it is checked. */
  'outcome_unknown',
  /** Stark or the network cannot be reached. */
  'unavailable',
  /** The thing named does not exist (invoice, event, transfer). */
  'not_found',
  /** The transfer has not failed, or Stark still holds a live one for the credit: nothing to retry. */
  'not_retryable',
  /** The command exists only with an emulator (pay now, clock, faults). */
  'emulator_only',
  /** Another process holds the state folder. */
  'state_locked',
  /** The state folder belongs to another Stark target (another emulator or sandbox project). */
  'state_mismatch',
  /** The journal disappeared while Stark still holds this installation's invoices. */
  'journal_missing',
  /** A state file is damaged; its name and place are in the message. */
  'state_damaged',
  /** The journal could not be written (disk full, permissions): nothing more is recorded or acted on. */
  'journal_failed',
  /** A state file could not be written (disk full, permissions): nothing more is accepted. */
  'state_write_failed',
  /** Refused for safety (production credentials, a key of the wrong kind). */
  'refused',
  /** The sandbox needs its project id and private key saved first. */
  'no_credentials',
  /** Allowed only after the user confirms a stated risk (e.g. a secret stored without OS protection). */
  'needs_confirmation'
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown }
  ) {
    super(message, options)
    this.name = 'AppError'
  }
}

export const isAppError = (error: unknown): error is AppError =>
  error instanceof AppError ||
  (typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'AppError' &&
    ERROR_CODES.includes((error as { code?: ErrorCode }).code as ErrorCode))
