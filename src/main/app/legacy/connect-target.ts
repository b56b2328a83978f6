/**
 * The composition the desktop's legacy runtime was built on, kept here (beside it) when
 * `stark/targets.ts` stopped importing the emulator. Temporary: `createRuntime` in src/main/runtime
 * does all of this with the state folder lock, target identity and retries, and replaces it.
 */
import { randomInt } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import writeFileAtomic from 'write-file-atomic'
import { startEmulator, type Emulator } from '../../emulator/emulator'
import { VirtualClock } from '../../time/clock'
import { sdkClient, type StarkClient } from '../../stark/client'
import { generateKeyPair, publicKeyOf, toSec1Pem } from '../../stark/keys'
import { connectStark } from '../../stark/sdk'

export type LegacyTargetChoice =
  | { kind: 'embedded'; speed: number; stateDir: string; seed?: number }
  | { kind: 'external'; url: string; speed?: number; stateDir: string }
  | { kind: 'sandbox'; projectId: string; privateKeyPem: string }

export interface ConnectedTarget {
  stark: StarkClient
  clock: VirtualClock
  /** Set when Stark is an emulator (its base URL). */
  emulatorUrl?: string
  emulator?: Emulator
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
  choice: LegacyTargetChoice,
  realTime: () => number
): Promise<ConnectedTarget> {
  if (choice.kind === 'sandbox') {
    const privateKey = toSec1Pem(choice.privateKeyPem)
    const sdk = connectStark({ kind: 'sandbox' }, { projectId: choice.projectId, privateKey })
    const clock = new VirtualClock({ start: realTime(), speed: 1, realTime })
    return { stark: sdkClient(sdk), clock, stop: async () => clock.stop() }
  }
  const privateKey = await emulatorKey(choice.stateDir)
  const publicKey = publicKeyOf(privateKey)
  if (choice.kind === 'embedded') {
    const emulator = await startEmulator({
      speed: choice.speed,
      stateFile: join(choice.stateDir, 'emulator-state.json'),
      seed: choice.seed ?? randomInt(2 ** 31),
      realTime
    })
    const projectId = emulator.registerProject(publicKey)
    const sdk = connectStark({ kind: 'emulator', url: emulator.url }, { projectId, privateKey })
    return {
      stark: sdkClient(sdk),
      clock: emulator.clock,
      emulatorUrl: emulator.url,
      emulator,
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
    speed: number
  }
  // Follows the emulator's time: same start, same speed (the control call's latency is the only skew).
  const clock = new VirtualClock({ start: remote.nowMs, speed: remote.speed, realTime })
  const sdk = connectStark({ kind: 'emulator', url: choice.url }, { projectId, privateKey })
  return { stark: sdkClient(sdk), clock, emulatorUrl: choice.url, stop: async () => clock.stop() }
}
