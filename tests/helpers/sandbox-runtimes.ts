/**
 * Runtimes for the environments manager in tests: the sandbox target goes to the TLS emulator
 * (tests/helpers/tls-emulator.ts) through the test-only trust override, optionally through a
 * loopback proxy port in between; everything else as the app builds it, with short retries.
 */
import type { EnvironmentsOptions, ManagedRuntimeOptions } from '../../src/main/app/environments'
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
