/**
 * What the host pushes to each renderer, coalesced: journal entries are concatenated, the snapshot
 * and the status keep only the newest, and a client gets at most `MAX_PUSHES_PER_SECOND` messages
 * in any second, however fast the engine writes (a renderer flooded with one message per entry
 * stops painting). Nothing is pushed before the renderer says it is ready (Fiddle's ready queue);
 * from then on it hears every journal entry after the seq it named, none missing, none twice.
 */
import { MAX_PUSHES_PER_SECOND, type HostEventName, type HostEvents } from '../../shared/contract'
import type { JournalEntry } from '../../shared/journal'
import type { PushSession } from './dispatch'
import type { HostDeps, LiveRuntime } from './ports'

export type Send = <E extends HostEventName>(event: E, payload: HostEvents[E]) => void

export interface PushHubOptions {
  maxPerSecond?: number
  /** How often the status (Stark's time) is refreshed while nothing else changes. */
  statusEveryMs?: number
  /** A long replay is split so that one message stays small. */
  maxEntriesPerMessage?: number
  /** Monotonic real time in ms (injected for tests). */
  realTime?: () => number
  onError?: (error: unknown) => void
}

export interface PushClient extends PushSession {
  close(): void
}

type Kind = HostEventName

export class PushHub {
  private readonly clients = new Set<Client>()
  private readonly ticker: ReturnType<typeof setInterval>
  readonly options: Required<PushHubOptions>

  constructor(
    private readonly source: Pick<HostDeps, 'live' | 'status'>,
    options: PushHubOptions = {}
  ) {
    this.options = {
      maxPerSecond: options.maxPerSecond ?? MAX_PUSHES_PER_SECOND,
      statusEveryMs: options.statusEveryMs ?? 1000,
      maxEntriesPerMessage: options.maxEntriesPerMessage ?? 5000,
      realTime: options.realTime ?? (() => performance.now()),
      onError: options.onError ?? ((error) => console.error('push failed:', error))
    }
    this.ticker = setInterval(() => this.statusChanged(), this.options.statusEveryMs)
    this.ticker.unref?.()
  }

  /** A new renderer connection; it hears nothing until it calls `ready`. */
  connect(send: Send): PushClient {
    const client = new Client(this.source, send, this.options, () => this.clients.delete(client))
    this.clients.add(client)
    return client
  }

  /** The runtime's phase, webhook server or clock changed (or it was replaced). */
  statusChanged(): void {
    for (const client of this.clients) client.statusChanged()
  }

  close(): void {
    clearInterval(this.ticker)
    for (const client of [...this.clients]) client.close()
  }
}

class Client implements PushClient {
  private ready_ = false
  private closed = false
  /** Where the journal subscription stands: the last seq handed to this client. */
  private cursor = 0
  private wanted: number | undefined
  private attached: { live: LiveRuntime; unsubscribe: () => void } | undefined
  private pending: JournalEntry[] = []
  /** When each kind became dirty (for fairness), or absent when clean. */
  private readonly dirtySince = new Map<Kind, number>()
  private readonly sentAt: number[] = []
  private nextAllowedAt = 0
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor(
    private readonly source: Pick<HostDeps, 'live' | 'status'>,
    private readonly send: Send,
    private readonly options: Required<PushHubOptions>,
    private readonly onClose: () => void
  ) {}

  ready(afterSeq: number | undefined): { lastSeq: number } {
    if (this.closed) throw new Error('ready() on a closed push client')
    // A second ready is a reload: start over from the seq the renderer names now.
    this.detach()
    this.pending = []
    this.ready_ = true
    this.wanted = afterSeq
    this.attach()
    this.markDirty('status')
    this.markDirty('snapshot')
    const live = this.source.live()
    return { lastSeq: live ? live.journal.lastSeq() : (afterSeq ?? 0) }
  }

  statusChanged(): void {
    if (!this.ready_ || this.closed) return
    if (this.attached?.live !== this.source.live()) {
      // Started, stopped or replaced: follow the runtime that is live now.
      this.detach()
      this.attach()
      this.markDirty('snapshot')
    }
    this.markDirty('status')
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.detach()
    clearTimeout(this.timer)
    this.onClose()
  }

  private attach(): void {
    const live = this.source.live()
    if (!live) return
    this.cursor = this.wanted ?? live.journal.lastSeq()
    // Another runtime's journal numbers from 1 again: only its new entries follow.
    this.wanted = undefined
    const unsubscribe = live.journal.subscribe({ afterSeq: this.cursor }, (entries) => {
      if (this.closed) return
      for (const entry of entries) {
        // The feed promises order without gaps or repeats; this keeps that true if it ever slips.
        if (entry.seq <= this.cursor) continue
        this.cursor = entry.seq
        this.pending.push(entry)
      }
      this.markDirty('journal')
      this.markDirty('snapshot')
    })
    this.attached = { live, unsubscribe }
  }

  private detach(): void {
    this.attached?.unsubscribe()
    this.attached = undefined
  }

  private markDirty(kind: Kind): void {
    if (!this.ready_ || this.closed) return
    if (kind === 'journal' && this.pending.length === 0) return
    if (!this.dirtySince.has(kind)) this.dirtySince.set(kind, this.options.realTime())
    this.schedule()
  }

  private schedule(): void {
    if (this.timer !== undefined || this.closed || this.dirtySince.size === 0) return
    const now = this.options.realTime()
    const windowFreeAt =
      this.sentAt.length >= this.options.maxPerSecond ? (this.sentAt[0] as number) + 1000 : now
    const delay = Math.max(0, this.nextAllowedAt - now, windowFreeAt - now)
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.flush()
    }, delay)
  }

  private flush(): void {
    if (this.closed) return
    const now = this.options.realTime()
    while (this.sentAt.length > 0 && (this.sentAt[0] as number) <= now - 1000) this.sentAt.shift()
    let allowed = this.options.maxPerSecond - this.sentAt.length
    // Oldest change first, so a stream of journal entries cannot starve the status.
    const kinds = [...this.dirtySince.entries()].sort((a, b) => a[1] - b[1]).map(([k]) => k)
    let sent = 0
    for (const kind of kinds) {
      if (allowed <= 0 || this.closed) break
      if (!this.push(kind)) continue
      allowed--
      sent++
      this.sentAt.push(now)
    }
    this.nextAllowedAt = now + (sent * 1000) / this.options.maxPerSecond
    this.schedule()
  }

  /** Sends one message of `kind`; false when there was nothing to send after all. */
  private push(kind: Kind): boolean {
    let sent = true
    try {
      if (kind === 'journal') {
        const entries = this.pending.splice(0, this.options.maxEntriesPerMessage)
        if (this.pending.length === 0) this.dirtySince.delete('journal')
        if (entries.length === 0) return false
        this.send('journal', { entries })
      } else if (kind === 'snapshot') {
        this.dirtySince.delete('snapshot')
        const live = this.source.live()
        if (!live) return false
        this.send('snapshot', live.simulator.snapshot())
      } else {
        this.dirtySince.delete('status')
        this.send('status', this.source.status())
      }
    } catch (error) {
      // A destroyed window or a dropped socket: this client is gone, the others go on.
      sent = false
      this.options.onError(error)
      this.close()
    }
    return sent
  }
}
