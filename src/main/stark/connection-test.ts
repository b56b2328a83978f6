/**
 * "Test connection" for the sandbox credentials: the balance, Stark's public key and the webhook
 * list, each through the SDK as connected (agent and user set by the runtime), stopping at the first
 * failure and saying it in the user's words. Electron-free; the desktop app and the dashboard call
 * it through the runtime.
 *
 * The real sandbox cannot be reached from the machines this project is built and tested on (no route
 * to sandbox.api.starkbank.com). The function runs in tests against the emulator served over real TLS
 * with a generated certificate for that host name (tests/helpers/tls-emulator.ts) through the real
 * `sandboxAgent`, so TLS, auth headers and the error mapping are exercised; the permission codes the
 * real sandbox uses are not public, and only their general shapes (a 400 code, 401/403) are mapped.
 */
import { sdkClient } from './client'
import { describeStarkFailure } from './failure-words'
import type { ConnectionReport, ConnectionStep } from '../../shared/environment'
import { fingerprintOf } from './keys'
import type { StarkSdk } from './sdk'

export type { ConnectionReport, ConnectionStep }

const ACTIONS: Record<ConnectionStep, string> = {
  balance: 'reading the balance',
  'public-key': 'reading Stark’s public key',
  webhooks: 'listing the webhooks'
}

export async function testConnection(
  sdk: StarkSdk,
  context: { projectId?: string; fingerprint?: string } = {}
): Promise<ConnectionReport> {
  const client = sdkClient(sdk)
  let step: ConnectionStep = 'balance'
  try {
    const balance = (await sdk.balance.get()) as { amount?: unknown } | undefined
    if (typeof balance?.amount !== 'number' || !Number.isInteger(balance.amount)) {
      throw new Error('Stark answered the balance request without an amount')
    }
    step = 'public-key'
    const starkKey = await client.fetchPublicKey()
    step = 'webhooks'
    const webhooks = (await client.listWebhooks()).map(({ id, url }) => ({ id, url }))
    return {
      ok: true,
      balance: balance.amount,
      starkKeyFingerprint: fingerprintOf(starkKey),
      webhooks
    }
  } catch (error) {
    return { ok: false, step, ...describeStarkFailure(error, ACTIONS[step], context) }
  }
}
