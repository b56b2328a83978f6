/**
 * Registering a project: its secp256k1 public key becomes the key its requests must be signed with.
 * One rule for the control API and the in-process call, so neither can replace a project's key.
 */
import { assertSecp256k1PublicKey } from './auth'
import type { EmulatorCore } from './core'
import { StarkError } from './errors'

export function registerProject(
  core: EmulatorCore,
  publicKeyPem: unknown,
  projectId?: string
): string {
  const publicKey = assertSecp256k1PublicKey(publicKeyPem)
  const existing = Object.values(core.state.projects).find((p) => p.publicKey === publicKey)
  if (existing && (projectId === undefined || projectId === existing.id)) return existing.id
  if (projectId !== undefined && core.state.projects[projectId]) {
    throw StarkError.of(
      'invalidProjectId',
      `Project ${projectId} is already registered with another key. Register without a projectId to get a new one.`
    )
  }
  const id = projectId ?? core.newId()
  core.put('projects', id, { id, publicKey, created: core.iso() })
  return id
}
