/**
 * Drives HTTP load from a child process. On a 2-core machine a load generator in the server's own
 * process would take its event loop: every request built and every answer parsed would be time the
 * server cannot spend receiving. In a child process the client runs beside the server, as Stark's
 * sender does (on another machine), and it is kept lean (raw keep-alive sockets, requests prebuilt:
 * see load-client.ts) because its CPU still comes out of the same two cores. Its CPU time is
 * reported so that the share it took is visible.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import type { SignedDelivery } from './signed-events'

/** Sends deliveries [from, to) of the loaded set to `url`; the first `warmup` of them untimed. */
export interface LoadJob {
  url: string
  from: number
  to: number
  warmup: number
  concurrency: number
  /** Closes the sockets to this target afterwards. */
  last?: boolean
}

export interface LoadResult {
  elapsedMs: number
  /** Timed requests by HTTP status. */
  statuses: Record<string, number>
  /** Timed requests that failed without an answer. */
  errors: number
  /** CPU time the load client itself used for the timed requests. */
  cpuMs: number
}

/** What the parent sends: the deliveries once, then jobs over them. */
export type LoadMessage =
  { kind: 'load'; deliveries: SignedDelivery[] } | ({ kind: 'run' } & LoadJob)

type Reply =
  | { ready: true }
  | { loaded: true }
  | { ok: true; result: LoadResult }
  | { ok: false; error: string }

export interface LoadClient {
  /** Hands the client the signed deliveries; it builds each target's requests from them once. */
  load(deliveries: SignedDelivery[]): Promise<void>
  run(job: LoadJob): Promise<LoadResult>
  close(): void
}

/**
 * Forks load-client.ts with this process's loader flags (tsx), so it runs the TypeScript as is. The
 * package is CommonJS, so tsx compiles bench/ as CommonJS and `__dirname` is this folder.
 */
export async function startLoadClient(): Promise<LoadClient> {
  const child: ChildProcess = fork(join(__dirname, 'load-client.ts'), {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  })
  const next = (): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null): void =>
        reject(new Error(`the load client exited with code ${code}`))
      child.once('exit', onExit)
      child.once('message', (message) => {
        child.off('exit', onExit)
        resolve(message as Reply)
      })
    })
  const ask = async (message: LoadMessage): Promise<Reply> => {
    const reply = next()
    child.send(message)
    return reply
  }
  await next()
  return {
    async load(deliveries) {
      const answer = await ask({ kind: 'load', deliveries })
      if (!('loaded' in answer)) throw new Error('the load client did not take the deliveries')
    },
    async run(job) {
      const answer = await ask({ kind: 'run', ...job })
      if (!('ok' in answer)) throw new Error('the load client answered out of turn')
      if (!answer.ok) throw new Error(`the load client failed: ${answer.error}`)
      return answer.result
    },
    close() {
      child.kill()
    }
  }
}
