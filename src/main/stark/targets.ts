/**
 * Chooses what Stark is: the embedded emulator (the default: no account, no network), an emulator
 * running elsewhere, or the real sandbox. Each yields the same StarkClient and a clock that agrees with
 * Stark's time, so the engine above it is identical in all three.
 */
import { randomInt } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import writeFileAtomic from 'write-file-atomic'
import { startEmulator, type Emulator } from '../emulator/emulator'
import { VirtualClock, wallClock, type ClockSpeed } from '../time/clock'
import { sdkClient, type StarkClient } from './client'
import { generateKeyPair, publicKeyOf, toSec1Pem } from './keys'
import { connectStark } from './sdk'

export type TargetChoice =
  | {
      kind: 'embedded'
      speed: ClockSpeed
      stateDir: string
      seed?: number
      /**
       * Keep the emulator's clock stopped until `startClock()` (default false: it runs at once).
       * A front end that starts or resumes a run right away sets it, so that no emulator time passes
       * during its startup (at `max`, hours of catch-up sweeps would).
       */
      deferClock?: boolean
    }
  | { kind: 'external'; url: string; speed?: ClockSpeed; stateDir: string }
  | { kind: 'sandbox'; projectId: string; privateKeyPem: string }

export interface ConnectedTarget {
  stark: StarkClient
  clock: VirtualClock
  /** Set when Stark is an emulator (its base URL). */
  emulatorUrl?: string
  emulator?: Emulator
  /**
   * Lets Stark's time run at the chosen speed, for an embedded emulator started with `deferClock`:
   * call it once the engine listens and its run is started or resumed. No-op otherwise.
   */
  startClock(): void
  stop(): Promise<void>
}

/** The project key used against emulators, kept in the state folder so restarts reuse the project. */
async function emulatorKey(stateDir: string): Promise<string> {
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

async function controlCall(
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
    throw new Error(
      `cannot reach the emulator at ${url} (${String(error)}). Is it running? Start it with npm run emulator.`
    )
  })
  const json = (await response.json()) as unknown
  if (!response.ok)
    throw new Error(
      `the emulator at ${url} answered ${response.status} to ${path}: ${JSON.stringify(json)}`
    )
  return json
}

export async function connectTarget(
  choice: TargetChoice,
  realTime: () => number,
  /** Where the embedded emulator reports trouble (failed jobs, a hold past its limit). */
  log?: (line: string) => void
): Promise<ConnectedTarget> {
  if (choice.kind === 'sandbox') {
    const privateKey = toSec1Pem(choice.privateKeyPem)
    const sdk = connectStark({ kind: 'sandbox' }, { projectId: choice.projectId, privateKey })
    // Stark's time is the wall clock: nothing here can hold it.
    const clock = wallClock(realTime)
    return {
      stark: sdkClient(sdk),
      clock,
      startClock: () => undefined,
      stop: async () => clock.stop()
    }
  }
  const privateKey = await emulatorKey(choice.stateDir)
  const publicKey = publicKeyOf(privateKey)
  if (choice.kind === 'embedded') {
    const emulator = await startEmulator({
      speed: choice.deferClock ? 0 : choice.speed,
      stateFile: join(choice.stateDir, 'emulator-state.json'),
      seed: choice.seed ?? randomInt(2 ** 31),
      realTime,
      log
    })
    const projectId = emulator.registerProject(publicKey)
    const sdk = connectStark({ kind: 'emulator', url: emulator.url }, { projectId, privateKey })
    return {
      stark: sdkClient(sdk),
      clock: emulator.clock,
      emulatorUrl: emulator.url,
      emulator,
      startClock: () => emulator.clock.setSpeed(choice.speed),
      stop: () => emulator.stop()
    }
  }
  const { projectId } = (await controlCall(choice.url, 'POST', '/_emulator/projects', {
    publicKey
  })) as { projectId: string }
  if (choice.speed !== undefined)
    await controlCall(choice.url, 'POST', '/_emulator/clock', { speed: choice.speed })
  const remote = (await controlCall(choice.url, 'GET', '/_emulator/clock')) as {
    nowMs: number
    speed: ClockSpeed
  }
  if (remote.speed === 'max')
    throw new Error(
      `the emulator at ${choice.url} runs at speed max, which only an engine in its own process can follow. Give it a number (--speed 20000), or use the embedded emulator for max.`
    )
  // Follows the emulator's time: same start, same speed (the control call's latency is the only
  // skew). It cannot hold the emulator's time, so it is not gated.
  const clock = new VirtualClock({
    start: remote.nowMs,
    speed: remote.speed,
    realTime,
    gated: false
  })
  const sdk = connectStark({ kind: 'emulator', url: choice.url }, { projectId, privateKey })
  return {
    stark: sdkClient(sdk),
    clock,
    emulatorUrl: choice.url,
    startClock: () => undefined,
    stop: async () => clock.stop()
  }
}
