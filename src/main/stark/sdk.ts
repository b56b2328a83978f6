/**
 * Connects the official `starkbank` SDK (unmodified) to the emulator or the real sandbox. The SDK's
 * configuration is process-global (its user, https agent and key cache), so in the app only the
 * runtime calls these, and only one runtime is live per process.
 */
import type { Agent } from 'node:https'
import starkbank from 'starkbank'
import { emulatorAgent, sandboxAgent, type SandboxTrustOverride } from './transport'

export type StarkTarget =
  | { kind: 'emulator'; url: string }
  | { kind: 'sandbox'; testTrust?: SandboxTrustOverride }

export interface StarkCredentials {
  projectId: string
  /** SEC1 PEM (`BEGIN EC PRIVATE KEY`), secp256k1. Never logged, never sent to the renderer. */
  privateKey: string
}

export type StarkSdk = typeof starkbank

let currentAgent: Agent | undefined

function clearKeyCache(): void {
  for (const key of Object.keys(starkbank.cache))
    delete (starkbank.cache as Record<string, unknown>)[key]
}

/** How the SDK's user hands its key to each request's signature (starkcore's User). */
interface SigningUser {
  privateKey(): unknown
}

/**
 * The SDK signs every request with `user.privateKey()`, which parses the PEM again each time; the
 * key never changes for this user, so it is parsed once. The SDK itself is untouched: only this
 * user object answers with the key it already parsed.
 */
function parseKeyOnce(user: object): void {
  const signer = user as SigningUser
  const parsed = signer.privateKey()
  signer.privateKey = () => parsed
}

/**
 * Points the SDK at `target` with `credentials`. Always the sandbox environment: this tool moves money
 * automatically, so production credentials are never accepted.
 */
export function connectStark(target: StarkTarget, credentials: StarkCredentials): StarkSdk {
  const agent =
    target.kind === 'emulator'
      ? emulatorAgent(target.url)
      : sandboxAgent(undefined, target.testTrust)
  currentAgent?.destroy()
  currentAgent = agent
  starkbank.setHttpsAgent(agent)
  const user = new starkbank.Project({
    environment: 'sandbox',
    id: credentials.projectId,
    privateKey: credentials.privateKey
  })
  parseKeyOnce(user)
  starkbank.user = user
  // The cached Stark public key belongs to the previous target; event.parse must fetch the new one.
  clearKeyCache()
  return starkbank
}

/**
 * Forgets the user and closes the agent's kept-alive sockets. A call made after this fails for want
 * of a user instead of reaching any Stark with stale credentials.
 */
export function disconnectStark(): void {
  starkbank.user = null
  starkbank.setHttpsAgent(null)
  currentAgent?.destroy()
  currentAgent = undefined
  clearKeyCache()
}
