/**
 * The clock's timers, ordered by due time and then by the order they were set, so that timers due at
 * the same instant always run in the same order (the same seed gives the same story).
 *
 * A binary heap (heap-js) gives O(log n) set and fire. Cancelling is lazy: the timer leaves the live
 * map at once and its heap slot is dropped when it reaches the top, so cancel is O(1) plus the pop it
 * later costs. The emulator cancels a job for every invoice paid early and the engine re-arms its
 * batch timer often, so dead slots are compacted away once they outnumber the live timers.
 */
import { Heap } from 'heap-js'

export type TimerId = number

export interface Timer {
  id: TimerId
  at: number
  seq: number
  fn: () => unknown
  /** Names the work in the log line of a hold that ran past its limit. */
  label: string
}

const byDueThenSeq = (a: Timer, b: Timer): number => a.at - b.at || a.seq - b.seq

/** Below this many dead slots, compaction would cost more than it saves. */
const COMPACT_MIN_DEAD = 64

export class TimerQueue {
  private readonly heap = new Heap<Timer>(byDueThenSeq)
  private readonly live = new Map<TimerId, Timer>()

  add(timer: Timer): void {
    this.live.set(timer.id, timer)
    this.heap.push(timer)
  }

  cancel(id: TimerId): boolean {
    if (!this.live.delete(id)) return false
    const dead = this.heap.size() - this.live.size
    if (dead > COMPACT_MIN_DEAD && dead > this.live.size) this.heap.init([...this.live.values()])
    return true
  }

  /** The timer due first, without removing it. */
  peek(): Timer | undefined {
    this.dropDead()
    return this.heap.peek()
  }

  /** Removes and returns the timer due first. */
  pop(): Timer | undefined {
    this.dropDead()
    const timer = this.heap.pop()
    if (timer) this.live.delete(timer.id)
    return timer
  }

  get size(): number {
    return this.live.size
  }

  clear(): void {
    this.live.clear()
    this.heap.clear()
  }

  private dropDead(): void {
    for (let top = this.heap.peek(); top && this.live.get(top.id) !== top; top = this.heap.peek())
      this.heap.pop()
  }
}
