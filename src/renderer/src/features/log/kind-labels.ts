/** The chips' words for each kind of journal entry. */
import type { EntryKind } from '../../../../shared/contract'

export const KIND_LABELS: Record<EntryKind, string> = {
  runs: 'Runs',
  invoices: 'Invoices',
  events: 'Events',
  transfers: 'Transfers',
  rejected: 'Rejected deliveries',
  errors: 'Errors'
}
