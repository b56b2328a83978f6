/**
 * Stark-side names that tie records to this app: every invoice carries its run's tag and its batch's
 * tag (so a batch is found, not reissued, after a crash, and other apps' invoices are left alone),
 * and every transfer carries its invoice's tag and an externalId derived from the invoice id (so
 * Stark itself refuses a second transfer for one credit).
 */
export const runTag = (runId: string): string => `ssim-${runId}`
export const batchTag = (runId: string, batch: string): string => `ssim-${runId}-${batch}`
export const invoiceTag = (invoiceId: string): string => `ssim-inv-${invoiceId}`
export const externalIdFor = (invoiceId: string, attempt: number): string =>
  attempt === 0 ? `ssim-${invoiceId}` : `ssim-${invoiceId}-r${attempt}`
