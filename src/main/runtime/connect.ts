/**
 * Connecting to the chosen Stark: starts the embedded emulator (its state lives in the target's
 * folder), or reaches an emulator elsewhere, or the real sandbox; then sets the SDK's global user
 * and https agent (the runtime alone does this). Every failure users can meet becomes an AppError
 * that says what to do: a damaged emulator state names its file, a key of the wrong kind is refused
 * without quoting it, an unreachable sandbox is "unavailable" after a few tries.
 */
import { join } from 'node:path'
import { randomInt } from 'node:crypto'
import { AppError, isAppError } from '../../shared/errors'
import { startEmulator, type Emulator } from '../emulator/emulator'
import { describeStarkFailure } from '../stark/failure-words'
import { fingerprintOf, publicKeyOf } from '../stark/keys'
import { disconnectStark } from '../stark/sdk'
import {
  connectEmulator,
  connectSandbox,
  emulatorProjectKey,
  type Connection,
  type TargetChoice
} from '../stark/targets'
import type { RealTime, VirtualClock } from '../time/clock'
import { networkCode, withRetry, type RetryOptions } from './retry'
import { EMULATOR_STATE_FILE, exists, readFolderRecord } from './state-folder'
import type { UndoStack } from './undo-stack'

export interface ConnectDeps {
  choice: TargetChoice
  stateDir: string
  realTime: RealTime
  undo: UndoStack
  retry: RetryOptions
  log: (line: string) => void
}

export async function connect(deps: ConnectDeps): Promise<Connection> {
  const { choice, stateDir } = deps
  if (choice.kind === 'sandbox') return connectToSandbox(deps, choice)
  const privateKey = await emulatorProjectKey(stateDir)
  let url = choice.kind === 'external' ? choice.url : undefined
  let clock: VirtualClock | undefined
  if (choice.kind === 'embedded') {
    const emulator = await startEmbedded(deps, choice)
    deps.undo.push('the embedded emulator', () => emulator.stop())
    url = emulator.url
    clock = emulator.clock
  }
  deps.undo.push('the Stark connection', () => disconnectStark())
  const connection = await withRetry(
    `connecting to the emulator at ${url}`,
    () =>
      connectEmulator(url as string, privateKey, {
        clock,
        speed: choice.kind === 'external' ? choice.speed : undefined,
        realTime: deps.realTime
      }),
    deps.retry
  )
  deps.undo.push('the follower clock', () => connection.stop())
  return connection
}

async function startEmbedded(
  deps: ConnectDeps,
  choice: Extract<TargetChoice, { kind: 'embedded' }>
): Promise<Emulator> {
  const stateFile = join(deps.stateDir, EMULATOR_STATE_FILE)
  // A folder that knows its emulator but lost the emulator's state would otherwise get a new,
  // empty emulator written into it, and with it the evidence of which invoices were issued.
  if ((await readFolderRecord(deps.stateDir)) && !(await exists(stateFile))) {
    throw new AppError(
      'state_damaged',
      `${stateFile} is missing: it held the embedded emulator that this folder's run was issued against. Restore it from a backup, or start over in a new state folder.`
    )
  }
  try {
    return await startEmulator({
      speed: choice.deferClock ? 0 : (choice.speed ?? 1),
      stateFile,
      seed: choice.seed ?? randomInt(2 ** 31),
      faults: choice.faults,
      realTime: deps.realTime,
      log: deps.log
    })
  } catch (error) {
    if (isAppError(error)) throw error
    const message = error instanceof Error ? error.message : String(error)
    throw new AppError(
      'state_damaged',
      `${message.includes(stateFile) ? message : `${stateFile} could not be loaded (${message})`}. It is the embedded emulator's state: restore it from a backup, or start over in a new state folder.`,
      { cause: error }
    )
  }
}

/** Points the SDK at the sandbox; a key of the wrong kind is refused (keys.ts never quotes it). */
export function openSandbox(
  choice: Extract<TargetChoice, { kind: 'sandbox' }>,
  realTime: RealTime
): Connection {
  try {
    return connectSandbox(choice.projectId, choice.privateKeyPem, realTime, choice.testTrust)
  } catch (error) {
    throw new AppError('refused', (error as Error).message)
  }
}

/** A key or project Stark refused, in the words of "Test connection"; undefined for other failures. */
function refusedByStark(
  choice: Extract<TargetChoice, { kind: 'sandbox' }>,
  error: unknown,
  stateDir: string
): AppError | undefined {
  const { kind, message } = describeStarkFailure(error, 'checking the project and its key', {
    projectId: choice.projectId,
    fingerprint: fingerprintOf(publicKeyOf(choice.privateKeyPem))
  })
  if (!['credentials', 'permission', 'refused', 'tls'].includes(kind)) return undefined
  return new AppError('refused', `${message} Nothing in ${stateDir} was changed.`, {
    cause: error
  })
}

async function connectToSandbox(
  deps: ConnectDeps,
  choice: Extract<TargetChoice, { kind: 'sandbox' }>
): Promise<Connection> {
  const connection = openSandbox(choice, deps.realTime)
  deps.undo.push('the Stark connection', () => disconnectStark())
  deps.undo.push('the clock', () => connection.stop())
  // Nothing else calls Stark before the first batch: find out now whether it can be reached.
  try {
    await withRetry('reaching the Stark sandbox', () => connection.stark.fetchPublicKey(), {
      ...deps.retry,
      attempts: Math.min(deps.retry.attempts ?? 3, 3)
    })
  } catch (error) {
    const original = (error as { cause?: unknown }).cause ?? error
    const code = networkCode(original)
    if (!code) throw refusedByStark(choice, original, deps.stateDir) ?? error
    throw new AppError(
      'unavailable',
      `Cannot reach the Stark sandbox at sandbox.api.starkbank.com (${code}${code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? ': the name does not resolve' : ''}). Check the internet connection and any proxy settings (HTTPS_PROXY), then start again: nothing in ${deps.stateDir} is lost.`,
      { cause: error }
    )
  }
  return connection
}
