/**
 * Ids kept in the order of a list: ascending by (key, id), where the key is a sortable string such
 * as an ISO datetime. Lists are read from a position (a cursor) in either direction without sorting
 * anything per request, and records are mostly created in key order, so an insert is nearly always
 * an append.
 */

/** A place in a list: the (key, id) of an entry, as cursors carry it. */
export interface Position {
  key: string
  id: string
}

const compare = (aKey: string, aId: string, bKey: string, bId: string): number =>
  aKey < bKey ? -1 : aKey > bKey ? 1 : aId < bId ? -1 : aId > bId ? 1 : 0

/** Optional key bounds of a walk: `from` inclusive, `to` exclusive. */
export interface KeyRange {
  from?: string
  to?: string
}

/**
 * The caller remembers each id's key (it holds the record), so the list keeps no map of its own:
 * two arrays, binary-searched.
 */
export class OrderedIds {
  private keys: string[] = []
  private ids: string[] = []

  get size(): number {
    return this.ids.length
  }

  insert(id: string, key: string): void {
    const at = this.firstAfterOrAt(key, id)
    if (this.keys[at] === key && this.ids[at] === id) return
    if (at === this.ids.length) {
      this.keys.push(key)
      this.ids.push(id)
    } else {
      this.keys.splice(at, 0, key)
      this.ids.splice(at, 0, id)
    }
  }

  /** Takes out the id held at `key`. */
  remove(id: string, key: string): void {
    const at = this.firstAfterOrAt(key, id)
    if (this.keys[at] !== key || this.ids[at] !== id) return
    if (at === this.ids.length - 1) {
      this.keys.pop()
      this.ids.pop()
    } else {
      this.keys.splice(at, 1)
      this.ids.splice(at, 1)
    }
  }

  /**
   * Replaces the content at once (start-up): the records mostly come in creation order, so the
   * lists are usually sorted already and only checked; otherwise one sort, not one insert each.
   */
  load(keys: string[], ids: string[]): void {
    let sorted = true
    for (let i = 1; i < ids.length && sorted; i++)
      sorted =
        compare(keys[i - 1] as string, ids[i - 1] as string, keys[i] as string, ids[i] as string) <
        0
    if (sorted) {
      this.keys = keys
      this.ids = ids
      return
    }
    const order = ids.map((_, i) => i)
    order.sort((a, b) =>
      compare(keys[a] as string, ids[a] as string, keys[b] as string, ids[b] as string)
    )
    this.keys = order.map((i) => keys[i] as string)
    this.ids = order.map((i) => ids[i] as string)
  }

  /**
   * Walks the ids in order (ascending or descending), starting strictly after `after` when given,
   * and staying inside `range`. The list must not change while a walk is in progress; every reader
   * runs synchronously within one request.
   */
  *walk(descending: boolean, after?: Position, range: KeyRange = {}): Generator<Position> {
    if (descending) {
      // Start below `to` and below the cursor, whichever is lower.
      let end = range.to === undefined ? this.ids.length : this.firstAfterOrAt(range.to, '')
      if (after) end = Math.min(end, this.firstAfterOrAt(after.key, after.id))
      for (let i = end - 1; i >= 0; i--) {
        const key = this.keys[i] as string
        if (range.from !== undefined && key < range.from) return
        yield { key, id: this.ids[i] as string }
      }
      return
    }
    let start = range.from === undefined ? 0 : this.firstAfterOrAt(range.from, '')
    if (after) start = Math.max(start, this.firstAfter(after.key, after.id))
    for (let i = start; i < this.ids.length; i++) {
      const key = this.keys[i] as string
      if (range.to !== undefined && key >= range.to) return
      yield { key, id: this.ids[i] as string }
    }
  }

  /** Index of the first entry >= (key, id). */
  private firstAfterOrAt(key: string, id: string): number {
    let lo = 0
    let hi = this.ids.length
    // Appends are the common case: check the end first.
    if (hi > 0 && compare(this.keys[hi - 1] as string, this.ids[hi - 1] as string, key, id) < 0)
      return hi
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (compare(this.keys[mid] as string, this.ids[mid] as string, key, id) < 0) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Index of the first entry > (key, id). */
  private firstAfter(key: string, id: string): number {
    const at = this.firstAfterOrAt(key, id)
    return this.keys[at] === key && this.ids[at] === id ? at + 1 : at
  }
}

/**
 * Merges walks of several lists kept in the same order into one walk in that order, dropping
 * repeats (a record listed under two requested tags is returned once).
 */
export function* mergeWalks(
  walks: Generator<Position>[],
  descending: boolean
): Generator<Position> {
  const heads = walks.map((w) => w.next())
  let last: Position | undefined
  for (;;) {
    let best = -1
    for (let i = 0; i < heads.length; i++) {
      const head = heads[i] as IteratorResult<Position>
      if (head.done) continue
      const chosen = heads[best]
      if (best === -1 || chosen === undefined || chosen.done) {
        best = i
        continue
      }
      const c = compare(head.value.key, head.value.id, chosen.value.key, chosen.value.id)
      if (descending ? c > 0 : c < 0) best = i
    }
    if (best === -1) return
    const value = (heads[best] as IteratorYieldResult<Position>).value
    heads[best] = (walks[best] as Generator<Position>).next()
    if (last && last.key === value.key && last.id === value.id) continue
    last = value
    yield value
  }
}
