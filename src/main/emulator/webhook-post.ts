/**
 * The outgoing side of webhook delivery: one signed POST with a real-time deadline, and abortable
 * real-time waits. Both can be cut short by `stop()`, so that shutting the emulator down never waits
 * for a slow receiver or a shuffle delay.
 *
 * Connections are kept alive between deliveries (opening and closing one per delivery was a large
 * share of a fast run's CPU). A kept connection the receiver closed meanwhile (its idle timeout, or
 * a server evicting idle sockets under attack) fails before any answer: that POST is sent again
 * once, on a fresh connection, so reuse never turns into a failed delivery. `stop()` closes them.
 */
import { Agent as HttpAgent, request as httpRequest, type ClientRequest } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'

export type PostOutcome =
  | { kind: 'status'; status: number }
  | { kind: 'badConnection'; message: string }
  | { kind: 'timeout'; message: string }
  /** The emulator stopped before an answer came; the delivery is neither a success nor a failure. */
  | { kind: 'aborted' }

/** Not a browser: receivers that check for one, or log the agent, see who is calling. */
export const WEBHOOK_USER_AGENT = 'StarkBank-Webhook/emulator'

/** A kept connection that failed before any answer: worth one more try on a fresh one. */
type Attempt = PostOutcome | { kind: 'staleConnection'; message: string }

export class DeliveryTransport {
  private readonly cancels = new Set<() => void>()
  private stopped = false
  private readonly httpAgent = new HttpAgent({ keepAlive: true })
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true })

  async post(
    url: string,
    body: string,
    signature: string,
    timeoutMs: number
  ): Promise<PostOutcome> {
    const first = await this.postOnce(url, body, signature, timeoutMs, true)
    if (first.kind !== 'staleConnection') return first
    const again = await this.postOnce(url, body, signature, timeoutMs, false)
    return again.kind === 'staleConnection'
      ? { kind: 'badConnection', message: again.message }
      : again
  }

  private postOnce(
    url: string,
    body: string,
    signature: string,
    timeoutMs: number,
    reuse: boolean
  ): Promise<Attempt> {
    if (this.stopped) return Promise.resolve({ kind: 'aborted' })
    return new Promise((resolve) => {
      let request: ClientRequest | undefined
      const finish = (outcome: Attempt): void => {
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
        const https = target.protocol === 'https:'
        const send = https ? httpsRequest : httpRequest
        request = send(target, {
          method: 'POST',
          agent: reuse ? (https ? this.httpsAgent : this.httpAgent) : false,
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
      request.on('error', (error) => {
        const message = `HTTP POST request failed: ${describe(error)}`
        // No answer came on a connection kept from an earlier delivery: it was closed meanwhile.
        finish(
          request?.reusedSocket
            ? { kind: 'staleConnection', message }
            : { kind: 'badConnection', message }
        )
      })
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
    this.httpAgent.destroy()
    this.httpsAgent.destroy()
  }
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  const message = error instanceof Error ? error.message : String(error)
  return code && !message.includes(code) ? `${code} ${message}` : message
}
