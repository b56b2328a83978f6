/** Small steps shared by the engine tests: reading the journal, paying invoices, counting at Stark. */
import type { JournalEntry, JournalType } from '../../src/shared/journal'
import type { StarkClient } from '../../src/main/stark/client'
import type { EngineEnv } from './engine-env'
import { controlJson } from './raw-client'

export const HOUR = 3_600_000

export type EntryOf<T extends JournalType> = Extract<JournalEntry, { type: T }>

/** The journal entries of one type, in the order they were appended. */
export function ofType<T extends JournalType>(entries: JournalEntry[], type: T): EntryOf<T>[] {
  return entries.filter((e): e is EntryOf<T> => e.type === type)
}

/** `batch.issuing` entries of planned batches (b0..b7), leaving one-click invoices out. */
export const plannedIssuing = (env: EngineEnv): EntryOf<'batch.issuing'>[] =>
  ofType(env.entries, 'batch.issuing').filter((e) => e.batch.startsWith('b'))

/** Moves the shared clock to an absolute time, then lets the engine finish what it started. */
export async function advanceTo(env: EngineEnv, at: number): Promise<void> {
  await env.emulator.clock.advance(at - env.emulator.clock.now())
  await env.sim.idle()
}

export async function advanceBy(env: EngineEnv, ms: number): Promise<void> {
  await advanceTo(env, env.emulator.clock.now() + ms)
}

/** Pays an invoice now through the emulator's control API, as a payer would. */
export async function payNow(env: EngineEnv, invoiceId: string): Promise<void> {
  const res = await controlJson(env.emulator.url, 'POST', `/_emulator/invoices/${invoiceId}/pay`)
  if (res.status !== 200) throw new Error(`pay ${invoiceId}: ${res.status} ${res.text}`)
}

export const invoicesAtStark = async (stark: StarkClient, tag: string): Promise<number> =>
  (await stark.invoicesByTag(tag)).length

/** An SDK-like error for a call whose outcome the engine cannot know. */
export const serverError = (): Error =>
  Object.assign(new Error('Stark answered 500'), { status: 500 })
