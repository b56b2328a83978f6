/**
 * The outgoing side of webhook delivery: one signed POST with a real-time deadline, and abortable
 * real-time waits. Both can be cut short by `stop()`, so that shutting the emulator down never waits
 * for a slow receiver or a shuffle delay.
 */
import { request as httpRequest, type ClientRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'

export type PostOutcome =
  | { kind: 'status'; status: number }
  | { kind: 'badConnection'; message: string }
  | { kind: 'timeout'; message: string }
  /** The emulator stopped before an answer came; the delivery is neither a success nor a failure. */
  | { kind: 'aborted' }

/** Not a browser: receivers that check for one, or log the agent, see who is calling. */
export const WEBHOOK_USER_AGENT = 'StarkBank-Webhook/emulator'

export class DeliveryTransport {
  private readonly cancels = new Set<() => void>()
  private stopped = false

  post(url: string, body: string, signature: string, timeoutMs: number): Promise<PostOutcome> {
    if (this.stopped) return Promise.resolve({ kind: 'aborted' })
    return new Promise((resolve) => {
      let request: ClientRequest | undefined
      const finish = (outcome: PostOutcome): void => {
        if (!this.cancels.delete(cancel)) return
        clearTimeout(timer)
        if (outcome.kind !== 'status') request?.destroy()
        resolve(outcome)
      }
      const cancel = (): void => finish({ kind: 'aborted' })
      this.cancels.add(cancel)
      const timer = setTimeout(
        () =>
          finish({ kind: 'timeout', message: `HTTP POST request timed out after ${timeoutMs} ms` }),
        timeoutMs
      )
      try {
        const target = new URL(url)
        const send = target.protocol === 'https:' ? httpsRequest : httpRequest
        // A fresh connection per delivery: no pooled socket outlives the emulator or a receiver.
        request = send(target, {
          method: 'POST',
          agent: false,
          headers: {
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(body),
            'User-Agent': WEBHOOK_USER_AGENT,
            'Digital-Signature': signature
          }
        })
      } catch (error) {
        finish({ kind: 'badConnection', message: `HTTP POST request failed: ${describe(error)}` })
        return
      }
      request.on('response', (response) => {
        response.resume()
        finish({ kind: 'status', status: response.statusCode ?? 0 })
      })
      request.on('error', (error) =>
        finish({ kind: 'badConnection', message: `HTTP POST request failed: ${describe(error)}` })
      )
      request.end(body)
    })
  }

  /** Resolves true after `ms` of real time, or false as soon as the transport stops. */
  wait(ms: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false)
    return new Promise((resolve) => {
      const done = (elapsed: boolean): void => {
        if (!this.cancels.delete(cancel)) return
        clearTimeout(timer)
        resolve(elapsed)
      }
      const cancel = (): void => done(false)
      this.cancels.add(cancel)
      const timer = setTimeout(() => done(true), ms)
    })
  }

  stop(): void {
    this.stopped = true
    for (const cancel of [...this.cancels]) cancel()
  }
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  const message = error instanceof Error ? error.message : String(error)
  return code && !message.includes(code) ? `${code} ${message}` : message
}
