/**
 * The Stark client the runtime hands the engine: every invoice it creates also carries the
 * installation's tag, beside the run's and the batch's. The tag outlives the journal, so a folder
 * whose journal disappeared can still ask Stark what it issued (see folder-identity.ts).
 */
import { installationTag } from '../engine/installation'
import type { StarkClient } from '../stark/client'

export function withInstallationTag(stark: StarkClient, installationId: string): StarkClient {
  const tag = installationTag(installationId)
  return {
    ...stark,
    createInvoices: (invoices) =>
      stark.createInvoices(
        invoices.map((i) => (i.tags.includes(tag) ? i : { ...i, tags: [...i.tags, tag] }))
      )
  }
}
