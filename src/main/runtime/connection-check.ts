/**
 * The runtime's "Test connection": balance, Stark's public key and the webhook list through the SDK.
 * While the runtime runs it asks the Stark it is connected to. A sandbox runtime that is not running
 * (its start failed: a wrong key, no network) connects the SDK just for the test and lets go again;
 * that needs the process's one SDK slot free, because the SDK's user and agent are process-wide.
 */
import type { ConnectionReport } from '../../shared/environment'
import { AppError } from '../../shared/errors'
import { testConnection } from '../stark/connection-test'
import { fingerprintOf, publicKeyOf } from '../stark/keys'
import { disconnectStark } from '../stark/sdk'
import type { Connection, TargetChoice } from '../stark/targets'
import { openSandbox } from './connect'
import type { RealTime } from '../time/clock'

export async function checkConnection(parts: {
  choice: TargetChoice
  /** Set while the runtime runs. */
  connection: Connection | undefined
  /** No runtime of this process holds the SDK now. */
  slotFree: boolean
  realTime: RealTime
}): Promise<ConnectionReport> {
  const { choice, connection } = parts
  const context =
    choice.kind === 'sandbox'
      ? {
          projectId: choice.projectId,
          fingerprint: fingerprintOf(publicKeyOf(choice.privateKeyPem))
        }
      : {}
  if (connection) return testConnection(connection.sdk, context)
  if (choice.kind !== 'sandbox' || !parts.slotFree)
    throw new AppError(
      'not_running',
      'The engine is not connected to Stark now. Wait until it has started (or start it again), then test the connection.'
    )
  const temporary = openSandbox(choice, parts.realTime)
  const ours = temporary.sdk.user
  try {
    return await testConnection(temporary.sdk, context)
  } finally {
    temporary.stop()
    // A runtime that started meanwhile (a switch) owns the SDK now: it is left alone.
    if (temporary.sdk.user === ours) disconnectStark()
  }
}
