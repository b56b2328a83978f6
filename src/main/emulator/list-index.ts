/**
 * One listed collection's indexes: every record in each order a route can ask for, and, per filter
 * field, the records holding each value (in creation order). A query reads the narrowest of them
 * from its cursor and stops one item past its page, so a page costs about its own length whatever
 * the collection's size. The route's own filter still decides every item: indexes only choose where
 * to look, which keeps the answers identical to a full scan.
 */
import { mergeWalks, OrderedIds, type KeyRange, type Position } from './ordered-ids'

export interface ListIndexSpec<T> {
  /** Sort fields the routes use; `created` must be one (filters and date ranges use it). */
  orders: Record<string, (record: T) => string>
  /** Fields a filter selects by value; a record may hold several values (tags). */
  fields: Record<string, (record: T) => readonly string[]>
}

export interface ListQuery<T> {
  order: string
  descending: boolean
  /** Continue strictly after this item. */
  after?: Position
  /** Narrowing by indexed fields: a record matches when it holds one of the values. */
  anyOf: { field: string; values: readonly string[] }[]
  /** Only these ids (the `ids` filter): read directly. */
  ids?: readonly string[]
  /** Bounds on the `created` key, when the route filters by creation time. */
  created?: KeyRange
  /** The route's complete filter. */
  matches: (record: T) => boolean
  limit: number
}

export interface ListPage<T> {
  items: T[]
  /** The position of the last item, when more items match after it. */
  next: Position | undefined
}

const compare = (a: Position, b: Position): number =>
  a.key < b.key ? -1 : a.key > b.key ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0

export class ListIndex<T extends { id: string }> {
  private readonly orders = new Map<string, OrderedIds>()
  private readonly fields = new Map<string, Map<string, OrderedIds>>()
  /** What each record was indexed under, to take it out when it changes. */
  private readonly indexed = new Map<string, { values: Map<string, readonly string[]> }>()

  constructor(
    private readonly spec: ListIndexSpec<T>,
    private readonly get: (id: string) => T | undefined
  ) {
    for (const name of Object.keys(spec.orders)) this.orders.set(name, new OrderedIds())
    for (const name of Object.keys(spec.fields)) this.fields.set(name, new Map())
  }

  get size(): number {
    return this.indexed.size
  }

  /** How many records hold `value` in `field` (counts by status without a scan). */
  count(field: string, value: string): number {
    return this.fields.get(field)?.get(value)?.size ?? 0
  }

  /** Ids of the records holding `value` in `field`, in creation order. */
  idsWith(field: string, value: string): string[] {
    return [...(this.fields.get(field)?.get(value)?.walk(false) ?? [])].map((p) => p.id)
  }

  /** Values of `field` that some record holds, with their counts. */
  counts(field: string): Record<string, number> {
    const out: Record<string, number> = {}
    for (const [value, ids] of this.fields.get(field) ?? []) if (ids.size > 0) out[value] = ids.size
    return out
  }

  /** Builds every index at once from the loaded records (start-up). */
  load(records: Iterable<T>): void {
    const byOrder = new Map<string, Position[]>([...this.orders.keys()].map((n) => [n, []]))
    const byValue = new Map<string, Map<string, Position[]>>()
    for (const record of records) {
      const values = new Map<string, readonly string[]>()
      for (const [name, keyOf] of Object.entries(this.spec.orders))
        byOrder.get(name)?.push({ key: keyOf(record), id: record.id })
      const created = this.spec.orders.created?.(record) ?? ''
      for (const [name, valuesOf] of Object.entries(this.spec.fields)) {
        const held = [...new Set(valuesOf(record))]
        values.set(name, held)
        const lists = byValue.get(name) ?? new Map<string, Position[]>()
        byValue.set(name, lists)
        for (const value of held) {
          const list = lists.get(value) ?? []
          lists.set(value, list)
          list.push({ key: created, id: record.id })
        }
      }
      this.indexed.set(record.id, { values })
    }
    for (const [name, entries] of byOrder) this.orders.get(name)?.load(entries)
    for (const [name, lists] of byValue) {
      const target = this.fields.get(name) as Map<string, OrderedIds>
      for (const [value, entries] of lists) {
        const ids = new OrderedIds()
        ids.load(entries)
        target.set(value, ids)
      }
    }
  }

  /** Follows one record's change: `record` undefined means it was deleted. */
  update(id: string, record: T | undefined): void {
    const before = this.indexed.get(id)
    if (!record) {
      if (!before) return
      for (const ids of this.orders.values()) ids.delete(id)
      for (const [name, values] of before.values) {
        for (const value of values) this.fields.get(name)?.get(value)?.delete(id)
      }
      this.indexed.delete(id)
      return
    }
    for (const [name, keyOf] of Object.entries(this.spec.orders))
      this.orders.get(name)?.set(id, keyOf(record))
    const created = this.spec.orders.created?.(record) ?? ''
    const values = new Map<string, readonly string[]>()
    for (const [name, valuesOf] of Object.entries(this.spec.fields)) {
      const held = [...new Set(valuesOf(record))]
      values.set(name, held)
      const lists = this.fields.get(name) as Map<string, OrderedIds>
      for (const value of before?.values.get(name) ?? []) {
        if (!held.includes(value)) lists.get(value)?.delete(id)
      }
      for (const value of held) {
        let ids = lists.get(value)
        if (!ids) lists.set(value, (ids = new OrderedIds()))
        ids.set(id, created)
      }
    }
    this.indexed.set(id, { values })
  }

  query(q: ListQuery<T>): ListPage<T> {
    const keyOf = this.spec.orders[q.order]
    if (!keyOf) throw new Error(`no list order ${q.order}`)
    const items: T[] = []
    let next: Position | undefined
    for (const at of this.candidates(q, keyOf)) {
      const record = this.get(at.id)
      if (!record || !q.matches(record)) continue
      if (items.length === q.limit) {
        const last = items[items.length - 1] as T
        next = { key: keyOf(last), id: last.id }
        break
      }
      items.push(record)
    }
    return { items, next }
  }

  /** Positions to look at, in the query's order: a superset of the matches. */
  private candidates(q: ListQuery<T>, keyOf: (record: T) => string): Iterable<Position> {
    if (q.ids) return this.byIds(q, keyOf)
    // Field lists and date bounds are in creation order; another order walks its full list.
    if (q.order !== 'created') {
      const all = this.orders.get(q.order) as OrderedIds
      return all.walk(q.descending, q.after)
    }
    const range = q.created ?? {}
    let narrowest: OrderedIds[] | undefined
    let narrowestSize = this.size
    for (const { field, values } of q.anyOf) {
      const lists = this.fields.get(field)
      if (!lists) continue
      const chosen = [...new Set(values)]
        .map((v) => lists.get(v))
        .filter((ids): ids is OrderedIds => ids !== undefined)
      const size = chosen.reduce((n, ids) => n + ids.size, 0)
      if (!narrowest || size < narrowestSize) {
        narrowest = chosen
        narrowestSize = size
      }
    }
    if (!narrowest)
      return (this.orders.get('created') as OrderedIds).walk(q.descending, q.after, range)
    const walks = narrowest.map((ids) => ids.walk(q.descending, q.after, range))
    return walks.length === 1 ? (walks[0] as Generator<Position>) : mergeWalks(walks, q.descending)
  }

  private byIds(q: ListQuery<T>, keyOf: (record: T) => string): Position[] {
    const found: Position[] = []
    for (const id of new Set(q.ids)) {
      const record = this.get(id)
      if (record) found.push({ key: keyOf(record), id })
    }
    found.sort((a, b) => (q.descending ? compare(b, a) : compare(a, b)))
    if (!q.after) return found
    const after = q.after
    return found.filter((p) => (q.descending ? compare(p, after) < 0 : compare(p, after) > 0))
  }
}
