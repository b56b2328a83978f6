/**
 * Part 4: signed deliveries per second through the real webhook server while 256 slow-header
 * sockets are held open against it (replaced as soon as the server closes one), next to the same
 * server without them. Rounds alternate between the two, so a change in the machine's background
 * load weighs on both alike. Every delivery must be answered 200 for a round to count as clean.
 */
import type { LoadClient } from './load'
import { startBenchEnv } from './env'
import { signedDeliveries } from './signed-events'
import { openSlowSockets } from '../tests/helpers/slow-sockets'

export interface SlowSocketOptions {
  requests: number
  rounds: number
  concurrency: number
  slowSockets: number
}

export interface SlowSocketSide {
  count: number
  ok: number
  elapsedMs: number
  perSecond: number
  roundRates: number[]
}

export interface SlowSocketFigures {
  options: SlowSocketOptions
  baseline: SlowSocketSide
  attacked: SlowSocketSide & {
    /** Fewest attacker sockets open at the end of an attacked round. */
    attackerOpenAtEnd: number
    /** Attacker sockets the server closed (evicted or timed out), all rounds. */
    attackerClosed: number
  }
  /** attacked / baseline deliveries per second. */
  ratio: number
}

const side = (): SlowSocketSide => ({
  count: 0,
  ok: 0,
  elapsedMs: 0,
  perSecond: 0,
  roundRates: []
})

export async function measureUnderSlowSockets(
  client: LoadClient,
  options: SlowSocketOptions
): Promise<SlowSocketFigures> {
  const { requests, rounds, concurrency, slowSockets } = options
  const env = await startBenchEnv({ register: false })
  try {
    await env.sim.startRun()
    const warmup = 200
    const deliveries = await signedDeliveries(env.emulator, env.sdk, warmup + 2 * requests)
    await client.load(deliveries)
    const url = env.webhookUrl
    const port = Number(new URL(url).port)
    await client.run({ url, from: 0, to: warmup, warmup, concurrency, last: true })

    const baseline = side()
    const attacked = { ...side(), attackerOpenAtEnd: Infinity, attackerClosed: 0 }
    const per = Math.floor(requests / rounds)
    for (let k = 0; k < rounds; k++) {
      const from = warmup + k * per
      const plain = await client.run({
        url,
        from,
        to: from + per,
        warmup: 0,
        concurrency,
        last: true
      })
      add(baseline, per, plain.statuses['200'] ?? 0, plain.elapsedMs)

      const attack = openSlowSockets(port, slowSockets, {
        path: new URL(url).pathname,
        reopen: true
      })
      await attack.ready
      const aFrom = warmup + requests + k * per
      const under = await client.run({
        ...{ url, from: aFrom, to: aFrom + per },
        ...{ warmup: 0, concurrency, last: true }
      })
      attacked.attackerOpenAtEnd = Math.min(attacked.attackerOpenAtEnd, attack.open())
      attacked.attackerClosed += attack.closedByServer()
      attack.stop()
      add(attacked, per, under.statuses['200'] ?? 0, under.elapsedMs)
    }
    return {
      options,
      baseline,
      attacked,
      ratio: attacked.perSecond / Math.max(1e-9, baseline.perSecond)
    }
  } finally {
    await env.cleanup()
  }
}

function add(s: SlowSocketSide, count: number, ok: number, elapsedMs: number): void {
  s.count += count
  s.ok += ok
  s.elapsedMs += elapsedMs
  s.perSecond = s.ok / (s.elapsedMs / 1000)
  s.roundRates.push(Math.round(ok / (elapsedMs / 1000)))
}
