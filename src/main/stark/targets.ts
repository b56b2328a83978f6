/**
 * What Stark is: the embedded emulator (the default: no account, no network), an emulator running
 * elsewhere, or the real sandbox. Each yields the same StarkClient and a clock that agrees with
 * Stark's time, so the engine above it is identical in all three. The embedded emulator itself is
 * started by the runtime (this layer talks to emulators only over HTTP, never imports one), which
 * then connects to it here like to any other.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import writeFileAtomic from 'write-file-atomic'
import { AppError } from '../../shared/errors'
import type { Faults } from '../../shared/faults'
import { VirtualClock, wallClock, type ClockSpeed, type RealTime } from '../time/clock'
import { sdkClient, type StarkClient } from './client'
import { fingerprintOf, generateKeyPair, publicKeyOf, toSec1Pem } from './keys'
import { connectStark, type StarkSdk } from './sdk'
import type { SandboxTrustOverride } from './transport'

export type TargetChoice =
  | {
      kind: 'embedded'
      /** Emulator seconds per real second (default 1), or `max`: as fast as the work allows. */
      speed?: ClockSpeed
      seed?: number
      /**
       * Keep the emulator's clock stopped until the runtime's `startClock()` (default false: it runs
       * at once). A front end that starts or resumes a run right away sets it, so that no emulator
       * time passes during its startup (at `max`, hours of catch-up sweeps would).
       */
      deferClock?: boolean
      /** Faults injected from the start (tests and demos). */
      faults?: Partial<Faults>
    }
  | { kind: 'external'; url: string; speed?: ClockSpeed }
  | {
      kind: 'sandbox'
      projectId: string
      privateKeyPem: string
      /**
       * Tests only (see transport.ts): the sandbox's TLS connections go to a loopback emulator
       * behind a test CA. No flag, setting or environment variable of the app sets it.
       */
      testTrust?: SandboxTrustOverride
    }

/**
 * Which Stark a state folder belongs to. An emulator instance is its workspace id plus the
 * fingerprint of the key it signs webhooks with (a new emulator state makes a new key, even with the
 * same seed); the real sandbox is the project.
 */
export type TargetIdentity =
  | { kind: 'emulator'; workspaceId: string; signingKey: string }
  | { kind: 'sandbox'; projectId: string }

export interface Connection {
  stark: StarkClient
  sdk: StarkSdk
  clock: VirtualClock
  identity: TargetIdentity
  /** Set when Stark is an emulator (its base URL). */
  emulatorUrl?: string
  /** Stops what this connection started (the follower clock); the SDK is disconnected elsewhere. */
  stop(): void
}

export function sameTarget(a: TargetIdentity, b: TargetIdentity): boolean {
  if (a.kind === 'sandbox' || b.kind === 'sandbox')
    return a.kind === 'sandbox' && b.kind === 'sandbox' && a.projectId === b.projectId
  return a.workspaceId === b.workspaceId && a.signingKey === b.signingKey
}

export function describeIdentity(identity: TargetIdentity): string {
  return identity.kind === 'sandbox'
    ? `the real Stark sandbox, project ${identity.projectId}`
    : `an emulator with workspace ${identity.workspaceId} (signing key ${identity.signingKey})`
}

/** The project key used against emulators, kept in the state folder so restarts reuse the project. */
export async function emulatorProjectKey(stateDir: string): Promise<string> {
  const file = join(stateDir, 'emulator-project-key.pem')
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  const { privatePem } = generateKeyPair()
  await writeFileAtomic(file, privatePem, { mode: 0o600 })
  return privatePem
}

/** One call to an emulator's unsigned control API (JSON both ways). */
export async function controlCall(
  url: string,
  method: string,
  path: string,
  body?: unknown
): Promise<unknown> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  }).catch((error: unknown) => {
    throw new AppError(
      'unavailable',
      `Cannot reach the emulator at ${url} (${(error as { cause?: { code?: string } }).cause?.code ?? String(error)}). Is it running? Start it with npm run emulator.`
    )
  })
  const text = await response.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  if (!response.ok || json === undefined) {
    const errors = (json as { errors?: { code?: string; message?: string }[] } | undefined)?.errors
    const detail = errors?.map((e) => `${e.code}: ${e.message}`).join('; ') ?? text.slice(0, 200)
    // Stark (and so the emulator) answers 400 for an unknown id too; only its words tell them apart.
    const code =
      response.status === 404 || /not found/i.test(detail)
        ? 'not_found'
        : response.status === 400
          ? 'stark_refused'
          : response.status < 500
            ? 'invalid_args'
            : 'unavailable'
    throw new AppError(
      code,
      `The emulator at ${url} answered ${response.status} to ${method} ${path}: ${detail}`
    )
  }
  return json
}

/**
 * Connects the SDK to an emulator at `url` with the folder's project key (registered there if new).
 * `clock`: the embedded emulator's own clock, shared with the engine; without it, a clock that
 * follows the remote emulator's time and speed.
 */
export async function connectEmulator(
  url: string,
  privateKeyPem: string,
  options: { clock?: VirtualClock; speed?: ClockSpeed; realTime: RealTime }
): Promise<Connection> {
  const publicKey = publicKeyOf(privateKeyPem)
  const { projectId } = (await controlCall(url, 'POST', '/_emulator/projects', {
    publicKey
  })) as { projectId: string }
  let clock = options.clock
  if (!clock) {
    if (options.speed !== undefined)
      await controlCall(url, 'POST', '/_emulator/clock', { speed: options.speed })
    const remote = (await controlCall(url, 'GET', '/_emulator/clock')) as {
      nowMs: number
      speed: ClockSpeed
    }
    if (remote.speed === 'max')
      throw new AppError(
        'invalid_args',
        `The emulator at ${url} runs at speed max, which only an engine in its own process can follow. Give it a number (--speed 20000), or use the embedded emulator for max.`
      )
    // Follows the emulator's time: same start, same speed (the control call's latency is the only
    // skew). It cannot hold the emulator's time, so it is not gated.
    clock = new VirtualClock({
      start: remote.nowMs,
      speed: remote.speed,
      realTime: options.realTime,
      gated: false
    })
  }
  const sdk = connectStark({ kind: 'emulator', url }, { projectId, privateKey: privateKeyPem })
  const stark = sdkClient(sdk)
  const [balance, signingKey] = await Promise.all([sdk.balance.get(), stark.fetchPublicKey()])
  const own = clock
  return {
    stark,
    sdk,
    clock,
    emulatorUrl: url,
    identity: { kind: 'emulator', workspaceId: balance.id, signingKey: fingerprintOf(signingKey) },
    stop: () => {
      if (!options.clock) own.stop()
    }
  }
}

/** Connects the SDK to the real sandbox. Nothing is called yet: the network is tried by the caller. */
export function connectSandbox(
  projectId: string,
  privateKeyPem: string,
  realTime: RealTime,
  testTrust?: SandboxTrustOverride
): Connection {
  const sdk = connectStark(
    { kind: 'sandbox', testTrust },
    { projectId, privateKey: toSec1Pem(privateKeyPem) }
  )
  // Stark's time is the wall clock: nothing here can hold it.
  const clock = wallClock(realTime)
  return {
    stark: sdkClient(sdk),
    sdk,
    clock,
    identity: { kind: 'sandbox', projectId },
    stop: () => clock.stop()
  }
}
