/**
 * The part of `conf` / `electron-store` the key store and the installation identity use. Both
 * libraries write the same JSON file format; plain Node (CLI, tests) injects `conf`, the desktop app
 * `electron-store`, and this code imports neither (`electron-store` imports `electron` at load).
 */
export interface KeyValueStore {
  get(key: string): unknown
  set(key: string, value: unknown): void
  delete(key: string): void
  has(key: string): boolean
}

/** An in-memory store: for callers that need no persistence, and for unit tests of the rules. */
export function memoryStore(initial: Record<string, unknown> = {}): KeyValueStore {
  const data = new Map(Object.entries(initial))
  return {
    get: (key) => structuredClone(data.get(key)),
    set: (key, value) => void data.set(key, structuredClone(value)),
    delete: (key) => void data.delete(key),
    has: (key) => data.has(key)
  }
}
