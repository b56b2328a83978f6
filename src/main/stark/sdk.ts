/**
 * Connects the official `starkbank` SDK (unmodified) to the emulator or the real sandbox. The SDK's
 * configuration is process-global, so the app holds one connection at a time.
 */
import starkbank from 'starkbank'
import { emulatorAgent, sandboxAgent } from './transport'

export type StarkTarget = { kind: 'emulator'; url: string } | { kind: 'sandbox' }

export interface StarkCredentials {
  projectId: string
  /** SEC1 PEM (`BEGIN EC PRIVATE KEY`), secp256k1. Never logged, never sent to the renderer. */
  privateKey: string
}

export type StarkSdk = typeof starkbank

/**
 * Points the SDK at `target` with `credentials`. Always the sandbox environment: this tool moves money
 * automatically, so production credentials are never accepted.
 */
export function connectStark(target: StarkTarget, credentials: StarkCredentials): StarkSdk {
  const agent = target.kind === 'emulator' ? emulatorAgent(target.url) : sandboxAgent()
  starkbank.setHttpsAgent(agent)
  starkbank.user = new starkbank.Project({
    environment: 'sandbox',
    id: credentials.projectId,
    privateKey: credentials.privateKey
  })
  // The cached Stark public key belongs to the previous target; event.parse must fetch the new one.
  for (const key of Object.keys(starkbank.cache))
    delete (starkbank.cache as Record<string, unknown>)[key]
  return starkbank
}
