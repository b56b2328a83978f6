/**
 * The "sandbox" of the environments tests, per describe: an emulator behind TLS as
 * sandbox.api.starkbank.com (no real network), a sandbox key pair and a temporary base folder,
 * started before the describe's tests and stopped after them; and a loopback proxy between the
 * sandbox agent and that front which refuses, holds or passes connections, as networks do.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { connect, createServer, type AddressInfo, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { startEmulator, type Emulator } from '../../src/main/emulator/emulator'
import { createKeyStore, type KeyStore } from '../../src/main/secrets/key-store'
import { memoryStore } from '../../src/main/secrets/kv-store'
import { memoryEncryptor } from '../../src/main/secrets/memory-encryptor'
import { generateKeyPair, type KeyPair } from '../../src/main/stark/keys'
import { startTlsEmulator, type TlsEmulator } from './tls-emulator'

export interface SandboxStark {
  readonly stark: Emulator
  readonly front: TlsEmulator
  readonly dir: string
  readonly key: KeyPair
  /** A new project for `key`, and a key store (in memory) holding that key for it. */
  savedKeys(): Promise<{ keys: KeyStore; projectId: string }>
  /** Runs after the describe's tests, in the order given, before the Stark stops. */
  atEnd(cleanup: () => unknown): void
}

export function useSandboxStark(dirPrefix: string): SandboxStark {
  const cleanups: (() => unknown)[] = []
  const started: { stark?: Emulator; front?: TlsEmulator; dir?: string } = {}
  const key = generateKeyPair()
  beforeAll(async () => {
    started.stark = await startEmulator({ speed: 0, seed: 3 })
    started.front = await startTlsEmulator(started.stark.port)
    started.dir = await mkdtemp(join(tmpdir(), dirPrefix))
  })
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup()
    await started.front?.close()
    await started.stark?.stop()
    if (started.dir) await rm(started.dir, { recursive: true, force: true })
  })
  const need = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the sandbox Stark starts in beforeAll')
    return value
  }
  return {
    get stark() {
      return need(started.stark)
    },
    get front() {
      return need(started.front)
    },
    get dir() {
      return need(started.dir)
    },
    key,
    async savedKeys() {
      const projectId = need(started.stark).registerProject(key.publicPem)
      const keys = createKeyStore({ store: memoryStore(), encryptor: memoryEncryptor() })
      await keys.save({ projectId, privateKeyPem: key.privatePem })
      return { keys, projectId }
    },
    atEnd: (cleanup) => void cleanups.push(cleanup)
  }
}

export type GateMode = 'refuse' | 'hold' | 'pass'

export interface GateProxy {
  readonly port: number
  mode: GateMode
  /** How many connections it holds now. */
  readonly holding: number
  /** Drops the connections it holds. */
  release(): void
  close(): Promise<void>
}

export async function startGateProxy(front: TlsEmulator, mode: GateMode): Promise<GateProxy> {
  const held: Socket[] = []
  const server = createServer((socket) => {
    if (gate.mode === 'refuse') return socket.destroy()
    if (gate.mode === 'hold') return void held.push(socket)
    const upstream = connect(front.trust().connectTo.port, '127.0.0.1')
    socket.pipe(upstream).pipe(socket)
    socket.on('error', () => upstream.destroy())
    upstream.on('error', () => socket.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const gate: GateProxy = {
    port: (server.address() as AddressInfo).port,
    mode,
    get holding() {
      return held.length
    },
    release: () => held.splice(0).forEach((socket) => socket.destroy()),
    close: async () => {
      gate.release()
      await new Promise((resolve) => server.close(resolve))
    }
  }
  return gate
}
