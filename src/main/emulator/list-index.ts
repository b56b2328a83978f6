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

const NONE: readonly string[] = []

/**
 * A record's values for a field, unique, as a copy: what was indexed must not change when the
 * record does (a credited invoice gets a tag pushed onto its own array).
 */
const unique = (values: readonly string[]): readonly string[] =>
  values.length === 0 ? NONE : values.length === 1 ? [values[0] as string] : [...new Set(values)]

type LoadLists = Map<string, { keys: string[]; ids: string[] }>

function addTo(lists: LoadLists, value: string, key: string, id: string): void {
  let list = lists.get(value)
  if (!list) lists.set(value, (list = { keys: [], ids: [] }))
  list.keys.push(key)
  list.ids.push(id)
}

/**
 * What a record is indexed under, in one array (tens of thousands are built at start-up): its key
 * in each order, then its values in each field (a string for one value, an array for several).
 */
type Indexed = (string | readonly string[] | undefined)[]

export class ListIndex<T extends { id: string }> {
  private readonly orderKeys: [string, (record: T) => string][]
  private readonly orders: OrderedIds[]
  private readonly fieldValues: [string, (record: T) => readonly string[]][]
  /** Per field: the records holding each value, in creation order. */
  private readonly fields: Map<string, OrderedIds>[]
  private readonly created: number
  private readonly indexed = new Map<string, Indexed>()

  constructor(
    spec: ListIndexSpec<T>,
    private readonly get: (id: string) => T | undefined
  ) {
    this.orderKeys = Object.entries(spec.orders)
    this.orders = this.orderKeys.map(() => new OrderedIds())
    this.fieldValues = Object.entries(spec.fields)
    this.fields = this.fieldValues.map(() => new Map())
    this.created = this.orderKeys.findIndex(([name]) => name === 'created')
    if (this.created === -1) throw new Error('a list index needs a created order')
  }

  get size(): number {
    return this.indexed.size
  }

  /** How many records hold `value` in `field` (counts by status without a scan). */
  count(field: string, value: string): number {
    return this.lists(field)?.get(value)?.size ?? 0
  }

  /** Ids of the records holding `value` in `field`, in creation order. */
  idsWith(field: string, value: string): string[] {
    return [...(this.lists(field)?.get(value)?.walk(false) ?? [])].map((p) => p.id)
  }

  /** Values of `field` that some record holds, with their counts. */
  counts(field: string): Record<string, number> {
    const out: Record<string, number> = {}
    for (const [value, ids] of this.lists(field) ?? []) if (ids.size > 0) out[value] = ids.size
    return out
  }

  /** Builds every index at once from the loaded records (start-up). */
  load(records: Iterable<T>): void {
    const orderLists = this.orderKeys.map(() => ({ keys: [] as string[], ids: [] as string[] }))
    const valueLists = this.fieldValues.map(
      () => new Map<string, { keys: string[]; ids: string[] }>()
    )
    for (const record of records) {
      const entry = this.entryOf(record)
      const { id } = record
      for (let o = 0; o < orderLists.length; o++) {
        const list = orderLists[o] as { keys: string[]; ids: string[] }
        list.keys.push(entry[o] as string)
        list.ids.push(id)
      }
      const created = entry[this.created] as string
      for (let f = 0; f < valueLists.length; f++) {
        const lists = valueLists[f] as LoadLists
        const held = entry[this.orderKeys.length + f]
        if (typeof held === 'string') addTo(lists, held, created, id)
        else for (const value of held ?? NONE) addTo(lists, value, created, id)
      }
      this.indexed.set(id, entry)
    }
    orderLists.forEach((list, o) => this.orders[o]?.load(list.keys, list.ids))
    valueLists.forEach((lists, f) => {
      for (const [value, list] of lists) {
        const ids = new OrderedIds()
        ids.load(list.keys, list.ids)
        this.fields[f]?.set(value, ids)
      }
    })
  }

  /** Follows one record's change: `record` undefined means it was deleted. */
  update(id: string, record: T | undefined): void {
    const before = this.indexed.get(id)
    const after = record ? this.entryOf(record) : undefined
    this.orders.forEach((ids, o) => {
      const was = before?.[o] as string | undefined
      const now = after?.[o] as string | undefined
      if (was === now) return
      if (was !== undefined) ids.remove(id, was)
      if (now !== undefined) ids.insert(id, now)
    })
    this.fields.forEach((lists, f) => {
      const was = before ? this.valuesAt(before, f) : NONE
      const now = after ? this.valuesAt(after, f) : NONE
      const wasCreated = before?.[this.created] as string
      const nowCreated = after?.[this.created] as string
      for (const value of was)
        if (!now.includes(value) || wasCreated !== nowCreated)
          lists.get(value)?.remove(id, wasCreated)
      for (const value of now) {
        let ids = lists.get(value)
        if (!ids) lists.set(value, (ids = new OrderedIds()))
        ids.insert(id, nowCreated)
      }
    })
    if (after) this.indexed.set(id, after)
    else this.indexed.delete(id)
  }

  private entryOf(record: T): Indexed {
    const entry: Indexed = new Array(this.orderKeys.length + this.fieldValues.length)
    let i = 0
    for (const [, keyOf] of this.orderKeys) entry[i++] = keyOf(record)
    for (const [, valuesOf] of this.fieldValues) {
      const values = valuesOf(record)
      // A copy when several: the record's own array may change later (a tag pushed on credit).
      entry[i++] =
        values.length === 0 ? undefined : values.length === 1 ? values[0] : unique(values)
    }
    return entry
  }

  private valuesAt(entry: Indexed, field: number): readonly string[] {
    const held = entry[this.orderKeys.length + field]
    return held === undefined ? NONE : typeof held === 'string' ? [held] : held
  }

  private lists(field: string): Map<string, OrderedIds> | undefined {
    return this.fields[this.fieldValues.findIndex(([name]) => name === field)]
  }

  private order(name: string): OrderedIds | undefined {
    return this.orders[this.orderKeys.findIndex(([n]) => n === name)]
  }

  query(q: ListQuery<T>): ListPage<T> {
    const keyOf = this.orderKeys.find(([name]) => name === q.order)?.[1]
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
    if (q.order !== 'created')
      return (this.order(q.order) as OrderedIds).walk(q.descending, q.after)
    const range = q.created ?? {}
    let narrowest: OrderedIds[] | undefined
    let narrowestSize = this.size
    for (const { field, values } of q.anyOf) {
      const lists = this.lists(field)
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
    if (!narrowest) return (this.order('created') as OrderedIds).walk(q.descending, q.after, range)
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
