/**
 * The clock's timer queue: a heap ordered by due time, then by the order timers were set, with
 * cancellation; checked against a plain sort of the same timers.
 */
import { describe, expect, it } from 'vitest'
import { createRng } from '../../src/main/time/rng'
import { TimerQueue, type Timer } from '../../src/main/time/timer-queue'

const timer = (id: number, at: number): Timer => ({
  id,
  at,
  seq: id,
  fn: () => undefined,
  label: `t${id}`
})

function drain(queue: TimerQueue): number[] {
  const ids: number[] = []
  for (let t = queue.pop(); t; t = queue.pop()) ids.push(t.id)
  return ids
}

describe('TimerQueue', () => {
  it('When timers are added in any order, Then they come out by due time, ties in the order they were set', () => {
    const rng = createRng(11)
    const queue = new TimerQueue()
    const all: Timer[] = []
    for (let id = 0; id < 2_000; id++) {
      // Few distinct due times, so that most timers share theirs with others.
      const t = timer(id, rng.int(0, 50) * 1_000)
      all.push(t)
      queue.add(t)
    }
    const expected = [...all].sort((a, b) => a.at - b.at || a.seq - b.seq).map((t) => t.id)
    expect(queue.size).toBe(2_000)
    expect(queue.peek()?.id).toBe(expected[0])
    expect(drain(queue)).toEqual(expected)
    expect(queue.size).toBe(0)
  })

  it('When timers are cancelled, Then they never come out, the rest keep their order, and the size counts only live ones', () => {
    const rng = createRng(5)
    const queue = new TimerQueue()
    const all: Timer[] = []
    for (let id = 0; id < 1_000; id++) {
      const t = timer(id, rng.int(0, 10_000))
      all.push(t)
      queue.add(t)
    }
    // Cancel most of them (enough to trigger compaction), including the one due first.
    const first = [...all].sort((a, b) => a.at - b.at || a.seq - b.seq)[0] as Timer
    const cancelled = new Set(all.filter((t) => t.id % 5 !== 0).map((t) => t.id))
    cancelled.add(first.id)
    expect([...cancelled].filter((id) => !queue.cancel(id))).toEqual([])
    expect(queue.cancel(first.id)).toBe(false)
    expect(queue.size).toBe(all.length - cancelled.size)

    const expected = all
      .filter((t) => !cancelled.has(t.id))
      .sort((a, b) => a.at - b.at || a.seq - b.seq)
      .map((t) => t.id)
    expect(queue.peek()?.id).toBe(expected[0])
    expect(drain(queue)).toEqual(expected)
  })

  it('When a timer is cancelled after it came out, Then nothing else is removed', () => {
    const queue = new TimerQueue()
    queue.add(timer(1, 10))
    queue.add(timer(2, 20))
    expect(queue.pop()?.id).toBe(1)
    expect(queue.cancel(1)).toBe(false)
    expect(queue.size).toBe(1)
    expect(drain(queue)).toEqual([2])
  })
})
