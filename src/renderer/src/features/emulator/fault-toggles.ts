/**
 * The demo toggles and the emulator's fault settings: each toggle turns one fault on at a value
 * that shows clearly in a demo without stalling it, or off (zero).
 */
import type { Faults } from '../../../../shared/faults'

export const FAULT_TOGGLES = [
  {
    key: 'duplicateDeliveries',
    label: 'Duplicate deliveries',
    on: 0.5,
    explain: 'half of the webhooks arrive twice'
  },
  {
    key: 'shuffleWindowMs',
    label: 'Shuffle deliveries',
    on: 1500,
    explain: 'webhooks arrive out of order'
  },
  {
    key: 'dropDeliveries',
    label: 'Drop deliveries',
    on: 0.3,
    explain: '30 % of webhooks are lost and retried'
  },
  {
    key: 'latencyMs',
    label: 'API latency',
    on: 400,
    explain: 'every API answer takes 0.4 s longer'
  },
  {
    key: 'apiErrorRate',
    label: 'API 500 errors',
    on: 0.2,
    explain: '20 % of API calls fail; half after the work was done'
  }
] as const satisfies readonly { key: keyof Faults; label: string; on: number; explain: string }[]

export type FaultKey = (typeof FAULT_TOGGLES)[number]['key']

export const isOn = (faults: Faults | null, key: FaultKey): boolean => (faults?.[key] ?? 0) > 0

/** The change to send when a toggle flips. */
export function toggled(key: FaultKey, on: boolean): Partial<Faults> {
  const toggle = FAULT_TOGGLES.find((t) => t.key === key)!
  return { [key]: on ? toggle.on : 0 }
}
