/**
 * The embedded emulator's demo controls (clock, faults, pay an invoice now), through its control API
 * like any other tool would use them: one path for the desktop app, the dashboard and tests, with the
 * emulator's own validation. Offered only for the embedded emulator: it shares its clock with the
 * engine, so changing its speed changes the engine's time too (an external emulator would drift away
 * from the engine's follower clock).
 */
import type { ClockView } from '../../shared/contract'
import type { Faults } from '../../shared/faults'
import { controlCall } from '../stark/targets'

export interface EmulatorControls {
  /** Changes the speed and/or moves time forward; answers the emulator's time and speed. */
  clock(change?: { speed?: number | 'max'; advanceSeconds?: number }): Promise<ClockView>
  /** Reads the faults, or changes some of them (the rest are kept). */
  faults(change?: Partial<Faults>): Promise<Faults>
  /** Pays one invoice now (it is credited a few emulator minutes later). */
  payNow(invoiceId: string): Promise<{ invoiceId: string }>
}

export function emulatorControls(url: string): EmulatorControls {
  const clockView = (raw: unknown): ClockView => {
    const { nowMs, speed } = raw as { nowMs: number; speed: number | 'max' }
    return { now: nowMs, speed }
  }
  return {
    async clock(change = {}) {
      let view = clockView(await controlCall(url, 'GET', '/_emulator/clock'))
      // The control API takes one change per call; speed first, so an advance runs at the new speed.
      if (change.speed !== undefined)
        view = clockView(
          await controlCall(url, 'POST', '/_emulator/clock', { speed: change.speed })
        )
      if (change.advanceSeconds !== undefined)
        view = clockView(
          await controlCall(url, 'POST', '/_emulator/clock', {
            advanceSeconds: change.advanceSeconds
          })
        )
      return view
    },
    async faults(change) {
      const current = (await controlCall(url, 'GET', '/_emulator/faults')) as Faults
      if (!change) return current
      return (await controlCall(url, 'PUT', '/_emulator/faults', {
        ...current,
        ...change
      })) as Faults
    },
    async payNow(invoiceId) {
      await controlCall(url, 'POST', `/_emulator/invoices/${encodeURIComponent(invoiceId)}/pay`)
      return { invoiceId }
    }
  }
}
