/**
 * The one entry point every transport calls with what arrived from a renderer: an operation name
 * and its arguments as `unknown`. The schema comes from the contract's map by the same name, so an
 * operation cannot be paired with the wrong schema; nothing reaches a handler unparsed.
 */
import { z } from 'zod'
import {
  fail,
  operations,
  type Handlers,
  type OperationName,
  type Result
} from '../../shared/contract'
import { guarded } from './failures'

/** The push side of one renderer connection (see push-hub.ts). */
export interface PushSession {
  /** The renderer is ready for pushes after `afterSeq`; answers where the journal stands. */
  ready(afterSeq: number | undefined): { lastSeq: number }
}

export const isOperationName = (name: unknown): name is OperationName =>
  typeof name === 'string' && Object.hasOwn(operations, name)

export type Dispatch = (
  name: OperationName,
  args: readonly unknown[],
  session?: PushSession
) => Promise<Result<unknown>>

export function createDispatch(handlers: Handlers): Dispatch {
  return async (name, args, session) => {
    if (!isOperationName(name)) throw new Error(`Unknown operation: ${String(name)}`)
    if (args.length > 1) return fail('invalid_args', `${name} takes at most one argument`)
    const parsed = operations[name].args.safeParse(args[0])
    if (!parsed.success) return fail('invalid_args', z.prettifyError(parsed.error))
    if (name === 'session:ready' && session) {
      const { afterSeq } = parsed.data as { afterSeq?: number }
      return guarded(async () => session.ready(afterSeq))
    }
    const handler = handlers[name] as (args: unknown) => Promise<Result<unknown>>
    return handler(parsed.data)
  }
}
