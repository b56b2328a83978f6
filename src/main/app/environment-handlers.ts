/**
 * The handlers of the environment, keys and connection operations: thin calls into the
 * environments manager and the key store. The private key arrives here (pasted, or read by main
 * from a file) and goes only into the key store: what goes back is the project id, the fingerprint
 * and the public key.
 */
import type { Handlers } from '../../shared/contract'
import type { CredentialsView, KeyProtectionView } from '../../shared/environment'
import { AppError } from '../../shared/errors'
import type { Protection } from '../secrets/encryptor'
import type { KeyStore } from '../secrets/key-store'
import { guarded } from './failures'
import type { EnvironmentPort, HostDeps } from './ports'

type EnvironmentOps =
  | 'environment:get'
  | 'environment:switch'
  | 'keys:get'
  | 'keys:save'
  | 'keys:load-file'
  | 'keys:generate'
  | 'keys:set-project'
  | 'keys:delete'
  | 'connection:test'

const protectionView = (p: Protection): KeyProtectionView => ({
  backend: p.backend,
  available: p.available,
  protected: p.protected,
  reason: p.reason ?? null
})

const credentialsView = (c: {
  projectId: string | null
  fingerprint: string
  publicKeyPem: string
}): CredentialsView => ({
  projectId: c.projectId,
  fingerprint: c.fingerprint,
  publicKeyPem: c.publicKeyPem
})

export function environmentHandlers(deps: HostDeps): Pick<Handlers, EnvironmentOps> {
  const environments = (): EnvironmentPort => {
    if (deps.environments) return deps.environments
    throw new AppError(
      'unavailable',
      'This host runs one fixed Stark and cannot switch environments. Start the desktop app or npm run headless -- --ui.'
    )
  }
  const keys = (): KeyStore => {
    if (deps.keys) return deps.keys
    throw new AppError('unavailable', 'This host keeps no sandbox credentials.')
  }
  /** The running sandbox holds the key in memory: changing it under it would mislead. */
  const changeable = (): KeyStore => {
    if (deps.environments?.sandboxInUse())
      throw new AppError(
        'run_active',
        'The sandbox is running with the saved key. Switch to the Emulator first, then replace or delete the key.'
      )
    return keys()
  }

  return {
    'environment:get': () => guarded(() => environments().view()),
    'environment:switch': (choice) => guarded(() => environments().switchTo(choice)),
    'keys:get': () =>
      guarded(async () => {
        const store = keys()
        const [protection, stored] = await Promise.all([store.protection(), store.view()])
        return {
          protection: protectionView(protection),
          credentials: stored ? credentialsView(stored) : null
        }
      }),
    'keys:save': (input) => guarded(async () => credentialsView(await changeable().save(input))),
    'keys:load-file': ({ projectId, allowUnprotected }) =>
      guarded(async () => {
        const store = changeable()
        if (!deps.host.readKeyFile)
          throw new AppError(
            'unavailable',
            'In the browser the page reads the key file itself: use Load key file… there.'
          )
        const privateKeyPem = await deps.host.readKeyFile()
        if (privateKeyPem === null) return null
        return credentialsView(await store.save({ projectId, privateKeyPem, allowUnprotected }))
      }),
    'keys:generate': (input) =>
      guarded(async () => credentialsView(await changeable().generate(input))),
    'keys:set-project': ({ projectId }) =>
      guarded(async () => credentialsView(await changeable().setProject(projectId))),
    'keys:delete': () => guarded(async () => ({ deleted: await changeable().remove() })),
    'connection:test': () => guarded(() => environments().testConnection())
  }
}
