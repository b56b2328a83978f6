/** Balance and the public key that verifies the emulator's webhook signatures. */
import type { EmulatorCore } from './core'
import type { Router } from './router'

export function registerAccountRoutes(api: Router, core: EmulatorCore): void {
  api.add('GET', '/v2/balance', () => ({
    cursor: null,
    balances: [
      {
        id: core.state.workspaceId,
        amount: core.state.balance,
        currency: 'BRL',
        // When the balance last changed: a read draws nothing from the random stream, so the
        // story of a seed does not depend on how many reads a client made.
        updated: core.state.ledger.at(-1)?.created ?? core.state.signingKey.created
      }
    ]
  }))

  api.add('GET', '/v2/public-key', () => ({
    cursor: null,
    publicKeys: [
      { content: core.state.signingKey.publicPem, created: core.state.signingKey.created }
    ]
  }))
}

/** Moves money in or out of the workspace and keeps the ledger that explains the balance. */
export function postLedger(
  core: EmulatorCore,
  amount: number,
  description: string,
  source: string
): string {
  const id = core.digits(32)
  core.state.ledger.push({ id, amount, description, source, created: core.iso() })
  core.state.balance += amount
  core.touched()
  return id
}
