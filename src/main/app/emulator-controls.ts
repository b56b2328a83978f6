/**
 * Emulator-only commands (speed, advance, faults, pay now) through the emulator's control API on its
 * loopback server. The same code drives the embedded emulator and one running elsewhere, and an
 * answer the emulator refuses becomes an `AppError` with what to do.
 */
import type { ClockView } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import { faultsSchema, type Faults } from '../../shared/faults'
import type { EmulatorControls } from './ports'

interface ClockAnswer {
  nowMs: number
  speed: number | 'max'
}

const messageOf = (body: unknown): string => {
  const errors = (body as { errors?: { code?: string; message?: string }[] } | null)?.errors
  if (Array.isArray(errors)) return errors.map((e) => e.message ?? e.code).join('; ')
  return JSON.stringify(body).slice(0, 300)
}

export function controlApiEmulator(baseUrl: string): EmulatorControls {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response
    try {
      response = await fetch(`${baseUrl}${path}`, {
        method,
        // The control API takes JSON only (which also keeps web pages from driving it).
        headers: { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body)
      })
    } catch (error) {
      throw new AppError(
        'unavailable',
        `The emulator at ${baseUrl} cannot be reached (${(error as Error).message}). Restart the app, or start the emulator again.`,
        { cause: error }
      )
    }
    const answer = (await response.json().catch(() => null)) as unknown
    if (response.ok) return answer as T
    const detail = messageOf(answer)
    if (response.status === 404 || /not found/i.test(detail))
      throw new AppError('not_found', `${detail}. Pick one from the list.`)
    if (response.status === 400)
      throw new AppError('invalid_args', `The emulator refused: ${detail}`)
    throw new AppError(
      'unavailable',
      `The emulator answered ${response.status} to ${path}: ${detail}. Try again.`
    )
  }

  const view = (a: ClockAnswer): ClockView => ({ now: a.nowMs, speed: a.speed })

  return {
    async clock({ speed, advanceSeconds }) {
      // The control API takes one change per request.
      let answer: ClockAnswer | undefined
      if (speed !== undefined) answer = await call('POST', '/_emulator/clock', { speed })
      if (advanceSeconds !== undefined && advanceSeconds > 0)
        answer = await call('POST', '/_emulator/clock', { advanceSeconds })
      return view(answer ?? (await call<ClockAnswer>('GET', '/_emulator/clock')))
    },
    async faults(patch) {
      const current = faultsSchema.parse(await call('GET', '/_emulator/faults'))
      if (!patch || Object.keys(patch).length === 0) return current
      return faultsSchema.parse(
        await call<Faults>('PUT', '/_emulator/faults', { ...current, ...patch })
      )
    },
    async payNow(invoiceId) {
      await call('POST', `/_emulator/invoices/${encodeURIComponent(invoiceId)}/pay`, {})
    }
  }
}
