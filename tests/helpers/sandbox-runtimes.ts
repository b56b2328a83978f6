/**
 * Runtimes for the environments manager in tests: the sandbox target goes to the TLS emulator
 * (tests/helpers/tls-emulator.ts) through the test-only trust override, optionally through a
 * loopback proxy port in between; everything else as the app builds it, with short retries.
 */
import { downloadHost } from '../../src/main/app/download-host'
import type {
  Environments,
  EnvironmentsOptions,
  ManagedRuntimeOptions
} from '../../src/main/app/environments'
import type { HostDeps } from '../../src/main/app/ports'
import { confPrefs } from '../../src/main/app/prefs'
import type { KeyStore } from '../../src/main/secrets/key-store'
import { createRuntime, type Runtime, type RuntimeOptions } from '../../src/main/runtime/runtime'
import type { TlsEmulator } from './tls-emulator'

export const quietLogger = { info: () => undefined, warn: () => undefined, error: () => undefined }

export function sandboxRuntimes(
  front: TlsEmulator,
  options: {
    /** A proxy between the sandbox agent and the TLS front (it refuses, holds or passes). */
    viaPort?: number
    extra?: Partial<RuntimeOptions>
    /** Told of each runtime made (and of what it was asked for). */
    onCreate?: (runtime: Runtime, asked: ManagedRuntimeOptions) => void
  } = {}
): EnvironmentsOptions['createRuntime'] {
  return (asked) => {
    const trust = front.trust()
    const runtime = createRuntime({
      realTime: () => Date.now(),
      ...asked,
      target:
        asked.target.kind === 'sandbox'
          ? {
              ...asked.target,
              testTrust:
                options.viaPort === undefined
                  ? trust
                  : { ...trust, connectTo: { host: '127.0.0.1', port: options.viaPort } }
            }
          : asked.target,
      seed: 5,
      retry: { attempts: 1, firstDelayMs: 10, maxDelayMs: 20 },
      stopStepMs: 3_000,
      ...options.extra
    })
    options.onCreate?.(runtime, asked)
    return runtime
  }
}

/** What the handlers need, over an environments manager, as the dashboard composes it. */
export function environmentsHost(
  environments: Environments,
  keys: KeyStore,
  dir: string
): HostDeps {
  return {
    info: { name: 'test', version: '0', host: 'dashboard' },
    status: environments.status,
    live: environments.live,
    prefs: confPrefs(dir),
    host: downloadHost(),
    environments,
    keys
  }
}
