/**
 * An in-memory host for the store's unit tests: every operation answers from a table the test
 * fills, and `push` plays the host's events. (End-to-end tests use the real engine instead.)
 */
import type {
  HostEventName,
  HostEvents,
  OperationName,
  RendererApi,
  Result
} from '../../../src/shared/contract'
import { methodPath, OPERATION_NAMES } from '../../../src/shared/contract'

type Answer = (args: unknown) => Promise<Result<unknown>> | Result<unknown>

export interface TestHost {
  api: RendererApi
  calls: { name: OperationName; args: unknown }[]
  answer(name: OperationName, fn: Answer): void
  push<E extends HostEventName>(event: E, payload: HostEvents[E]): void
}

export function createTestHost(): TestHost {
  const answers = new Map<OperationName, Answer>()
  const listeners = new Map<HostEventName, Set<(p: unknown) => void>>()
  const calls: TestHost['calls'] = []
  const api: Record<string, unknown> = {
    on(event: HostEventName, listener: (p: unknown) => void) {
      const set = listeners.get(event) ?? new Set()
      listeners.set(event, set)
      set.add(listener)
      return () => set.delete(listener)
    }
  }
  for (const name of OPERATION_NAMES) {
    const [domain, verb] = methodPath(name)
    const group = (api[domain] ??= {}) as Record<string, unknown>
    group[verb] = async (args: unknown) => {
      calls.push({ name, args })
      const fn = answers.get(name)
      if (!fn) return { ok: false, code: 'not_found', message: `${name}: no answer in this test` }
      return fn(args)
    }
  }
  return {
    api: api as unknown as RendererApi,
    calls,
    answer: (name, fn) => answers.set(name, fn),
    push: (event, payload) => listeners.get(event)?.forEach((l) => l(payload))
  }
}
