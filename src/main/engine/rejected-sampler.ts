/**
 * Rejected webhook deliveries on the secret path are counted, and only a bounded sample is
 * journaled: the first `perMinute` of each minute of wall time, then one summary line for the rest
 * of that minute. Every rejection used to be journaled and kept in memory: a flood made a 300 MB
 * journal that took 1.09 GB to open. Now the journal grows by at most perMinute + 1 lines a minute
 * whatever the flood, and the totals (in the snapshot) stay exact.
 *
 * Totals are folded from the journal (samples count one, summaries their `suppressed`), so they
 * survive a restart, plus the current minute's suppressed deliveries not yet summarized.
 */
import type { RealTime } from '../time/clock'
import type { JournalBody, JournalEntry } from '../../shared/journal'
import type { RejectedTotals } from '../../shared/snapshot'

export interface Rejection {
  reason: string
  status: number
  bytes: number
  preview: string
}

export interface SamplerOptions {
  perMinute?: number
  /** Distinct reasons counted by name; the rest are counted as `other`. */
  maxReasons?: number
}

const MINUTE = 60_000

/**
 * Reasons carry details (`body is not JSON: Unexpected token...`, a client's method name): the
 * kind of reason is the text before the first colon, numbers folded, so the map stays small.
 */
export function reasonKey(reason: string): string {
  const head = reason.split(':')[0] ?? reason
  return head.replace(/\d+/g, 'N').trim().slice(0, 60) || 'unknown'
}

export class RejectedSampler {
  private total = 0
  private readonly byReason = new Map<string, number>()
  private window = { minute: -1, sampled: 0, suppressed: 0, byReason: new Map<string, number>() }
  private timer: ReturnType<typeof setTimeout> | undefined
  private readonly perMinute: number
  private readonly maxReasons: number

  constructor(
    private readonly append: (body: JournalBody) => void,
    private readonly realTime: RealTime,
    options: SamplerOptions = {}
  ) {
    this.perMinute = options.perMinute ?? 10
    this.maxReasons = options.maxReasons ?? 20
  }

  /** Counts what the journal holds; called for every entry, on open and on append. */
  fold(entry: JournalEntry): void {
    if (entry.type !== 'webhook.rejected') return
    if ('suppressed' in entry) {
      this.total += entry.suppressed
      for (const [reason, count] of Object.entries(entry.byReason)) this.count(reason, count)
    } else {
      this.total += 1
      this.count(reasonKey(entry.reason), 1)
    }
  }

  reject(rejection: Rejection): void {
    const minute = Math.floor(this.realTime() / MINUTE)
    if (minute !== this.window.minute) {
      this.flush()
      this.window = { minute, sampled: 0, suppressed: 0, byReason: new Map() }
    }
    if (this.window.sampled < this.perMinute) {
      this.window.sampled++
      this.append({
        type: 'webhook.rejected',
        reason: rejection.reason,
        answer: rejection.status,
        bytes: rejection.bytes,
        preview: rejection.preview
      })
      return
    }
    this.window.suppressed++
    const key = this.keyFor(reasonKey(rejection.reason), this.window.byReason)
    this.window.byReason.set(key, (this.window.byReason.get(key) ?? 0) + 1)
    // The summary is written when the minute ends, even if no other delivery comes to roll it.
    if (!this.timer) {
      const wait = (minute + 1) * MINUTE - this.realTime() + 100
      this.timer = setTimeout(() => this.flush(), Math.max(0, wait))
      this.timer.unref()
    }
  }

  /** Journals the current minute's summary, if any delivery was suppressed (also on stop). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    const { minute, suppressed, byReason } = this.window
    if (suppressed === 0) return
    this.window = { minute, sampled: this.window.sampled, suppressed: 0, byReason: new Map() }
    this.append({
      type: 'webhook.rejected',
      suppressed,
      byReason: Object.fromEntries(byReason),
      from: minute * MINUTE,
      to: (minute + 1) * MINUTE
    })
  }

  totals(): RejectedTotals {
    const merged = new Map(this.byReason)
    for (const [reason, count] of this.window.byReason) {
      const key = this.keyFor(reason, merged)
      merged.set(key, (merged.get(key) ?? 0) + count)
    }
    return { total: this.total + this.window.suppressed, byReason: Object.fromEntries(merged) }
  }

  private count(reason: string, n: number): void {
    const key = this.keyFor(reason, this.byReason)
    this.byReason.set(key, (this.byReason.get(key) ?? 0) + n)
  }

  private keyFor(reason: string, counts: ReadonlyMap<string, number>): string {
    return counts.has(reason) || counts.size < this.maxReasons ? reason : 'other'
  }
}
