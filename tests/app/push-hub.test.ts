// @vitest-environment node
/**
 * The push hub: coalescing under a fast engine (at most MAX_PUSHES_PER_SECOND messages in any
 * second, nothing lost), Fiddle's ready queue, and resume after a reload with no gap and no
 * duplicate. Real timers: the rate is what is being tested.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { HostDeps } from '../../src/main/app/ports'
import { PushHub, type Send } from '../../src/main/app/push-hub'
import { MAX_PUSHES_PER_SECOND, type HostEventName } from '../../src/shared/contract'
import { memoryHostDeps } from '../helpers/host-deps'
import type { MemoryJournal } from '../helpers/memory-journal'

interface Received {
  at: number
  event: HostEventName
  seqs: number[]
}

/**
 * The hub's own clock, read by the recorder too: a send is stamped with the time the hub decided
 * it, so the OS descheduling this process between the decision and the send (2 shared cores)
 * cannot make a correct hub look like it sent 21 in a second.
 */
let hubNow = 0
const hubClock = (): number => (hubNow = performance.now())

function recorder(): { send: Send; got: Received[]; seqs: () => number[] } {
  const got: Received[] = []
  const send: Send = (event, payload) => {
    const seqs =
      event === 'journal'
        ? (payload as { entries: { seq: number }[] }).entries.map((e) => e.seq)
        : []
    got.push({ at: hubNow, event, seqs })
  }
  return { send, got, seqs: () => got.flatMap((r) => r.seqs) }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

const until = async (check: () => boolean, ms = 5_000): Promise<void> => {
  const end = performance.now() + ms
  while (!check()) {
    if (performance.now() > end) throw new Error('condition not met in time')
    await sleep(10)
  }
}

/** Appends `perSecond` entries a second, in 10 ms steps, for `seconds`. */
async function writeFast(
  journal: MemoryJournal,
  perSecond: number,
  seconds: number
): Promise<void> {
  const steps = seconds * 100
  const start = performance.now()
  for (let i = 1; i <= steps; i++) {
    journal.append(perSecond / 100)
    const due = start + i * 10
    await sleep(Math.max(0, due - performance.now()))
  }
}

/** The most messages seen in any window of one second. */
function busiestSecond(got: Received[]): number {
  let most = 0
  for (let i = 0; i < got.length; i++) {
    let n = 0
    for (let j = i; j < got.length && (got[j] as Received).at < (got[i] as Received).at + 1000; j++)
      n++
    most = Math.max(most, n)
  }
  return most
}

describe('push hub', () => {
  let hub: PushHub | undefined
  afterEach(() => hub?.close())

  it('When the engine writes 1,000 entries a second for 3 s, Then at most 20 messages go out in any second and every entry arrives once, in order', async () => {
    const { deps, journal } = await memoryHostDeps()
    hub = new PushHub(deps, { realTime: hubClock })
    const client = recorder()
    hub.connect(client.send).ready(0)

    await writeFast(journal, 1000, 3)
    await until(() => client.seqs().length === journal.lastSeq())

    expect(journal.lastSeq()).toBe(3000)
    expect(client.seqs()).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1))
    expect(busiestSecond(client.got)).toBeLessThanOrEqual(MAX_PUSHES_PER_SECOND)
    // Coalesced: far fewer journal messages than the 300 appends, and the snapshot and status
    // were not starved by the stream of entries.
    const kinds = (k: HostEventName): number => client.got.filter((r) => r.event === k).length
    expect(kinds('journal')).toBeLessThan(100)
    expect(kinds('snapshot')).toBeGreaterThan(3)
    expect(kinds('status')).toBeGreaterThan(1)
  })

  it('When a client has not said ready, Then it is sent nothing', async () => {
    const { deps, journal } = await memoryHostDeps()
    hub = new PushHub(deps, { statusEveryMs: 20 })
    const client = recorder()
    hub.connect(client.send)

    journal.append(50)
    hub.statusChanged()
    await sleep(200)

    expect(client.got).toEqual([])
  })

  it('When the page reloads mid-stream and says ready with its last seq, Then it gets the rest with no gap and no duplicate', async () => {
    const { deps, journal } = await memoryHostDeps()
    hub = new PushHub(deps)
    const before = recorder()
    const first = hub.connect(before.send)
    first.ready(0)
    const writing = writeFast(journal, 500, 2)

    await until(() => before.seqs().length > 300)
    first.close()
    const lastSeen = before.seqs().at(-1) as number
    const after = recorder()
    hub.connect(after.send).ready(lastSeen)
    await writing
    await until(() => after.seqs().at(-1) === journal.lastSeq())

    const all = [...before.seqs(), ...after.seqs()]
    expect(all).toEqual(Array.from({ length: journal.lastSeq() }, (_, i) => i + 1))
    expect(after.seqs()[0]).toBe(lastSeen + 1)
  })

  it('When ready is said again on the same client (a reload), Then it restarts from the new seq', async () => {
    const { deps, journal } = await memoryHostDeps()
    hub = new PushHub(deps)
    const client = recorder()
    const session = hub.connect(client.send)
    journal.append(10)
    session.ready(0)
    await until(() => client.seqs().length === 10)

    session.ready(4)
    await until(() => client.seqs().length === 16)

    expect(client.seqs()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 5, 6, 7, 8, 9, 10])
  })

  it('When ready names no seq, Then only entries written after it are pushed', async () => {
    const { deps, journal } = await memoryHostDeps()
    hub = new PushHub(deps)
    const client = recorder()
    journal.append(5)

    expect(hub.connect(client.send).ready(undefined)).toEqual({ lastSeq: 5 })
    journal.append(2)
    await until(() => client.seqs().length === 2)

    expect(client.seqs()).toEqual([6, 7])
  })

  it('When sending to a client throws (a closed window), Then that client is dropped and others go on', async () => {
    const { deps, journal } = await memoryHostDeps()
    const errors: unknown[] = []
    hub = new PushHub(deps, { onError: (e) => errors.push(e) })
    const good = recorder()
    hub
      .connect(() => {
        throw new Error('Object has been destroyed')
      })
      .ready(0)
    hub.connect(good.send).ready(0)

    journal.append(20)
    await until(() => good.seqs().length === 20)

    expect(errors).toHaveLength(1)
    expect(journal.subscribers).toBe(1)
  })

  it('When the runtime is not running at ready, Then status still flows and the journal follows once it runs', async () => {
    const { deps, journal } = await memoryHostDeps()
    let running = false
    const source: Pick<HostDeps, 'live' | 'status'> = {
      status: deps.status,
      live: () => (running ? deps.live() : undefined)
    }
    hub = new PushHub(source)
    const client = recorder()
    expect(hub.connect(client.send).ready(0)).toEqual({ lastSeq: 0 })
    await until(() => client.got.some((r) => r.event === 'status'))
    journal.append(3)

    running = true
    hub.statusChanged()
    await until(() => client.seqs().length === 3)

    expect(client.seqs()).toEqual([1, 2, 3])
  })
})
