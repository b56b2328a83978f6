/**
 * What Stark's API says an invoice's credit is, decided from the invoice as Stark holds it and its
 * `credited` logs. A push is only a trigger: its values never set a transfer's amount. Pure, so the
 * rule is testable on its own and the outbox and the invariant check apply the same one.
 *
 * The rule: the invoice is credited when at least one `credited` log agrees with the invoice itself
 * (amount and fee); the first log listed does not win by being first. Logs that disagree are reported.
 * When every log and the triggering event agree, the logs are enough and the invoice is not read.
 * The values must make sense: amount − fee at most the amount (no negative fee or amount); an
 * amount − fee of zero or less is a legitimate "nothing to send", decided by the outbox.
 */
import type { CreditedLog, InvoiceRecord } from '../stark/client'

export interface Money {
  amount: number
  fee: number
}

export type CreditVerdict =
  /** Act on these values. `disagreements` lists logs that said otherwise (journal them). */
  | { kind: 'credited'; credit: Money; logIds: string[]; disagreements: string[] }
  /** Stark shows no credit for this invoice (yet). */
  | { kind: 'not-credited'; logIds: string[] }
  /** Stark's own records cannot be paid out as they stand: hold, and say why. */
  | { kind: 'refused'; reason: string; atStark: Money | null; logIds: string[] }

const isCents = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v)
const money = (i: InvoiceRecord): Money => ({ amount: i.amount, fee: i.fee })
const show = (m: Money): string => `amount ${m.amount}, fee ${m.fee}`

/**
 * `invoice` is the invoice as Stark holds it now; when the logs agree with each other (and with the
 * event that triggered the check, see `needsInvoice`) the first log's copy stands in for it.
 */
export function judgeCredit(
  logs: CreditedLog[],
  invoice: InvoiceRecord | undefined = logs[0]?.invoice
): CreditVerdict {
  const logIds = logs.map((l) => l.id).sort()
  if (logs.length === 0 || !invoice) return { kind: 'not-credited', logIds }
  const atStark = isCents(invoice.amount) && isCents(invoice.fee) ? money(invoice) : null
  if (!atStark)
    return {
      kind: 'refused',
      reason: 'the invoice has no whole-cent amount and fee',
      atStark,
      logIds
    }
  const agrees = (log: CreditedLog): boolean =>
    log.invoice.amount === atStark.amount && log.invoice.fee === atStark.fee
  const disagreements = logs
    .filter((log) => !agrees(log))
    .map(
      (log) =>
        `credited log ${log.id} says ${show(money(log.invoice))}; the invoice says ${show(atStark)}`
    )
  if (disagreements.length === logs.length) {
    return {
      kind: 'refused',
      reason: `no credited log agrees with the invoice: ${disagreements.join('; ')}`,
      atStark,
      logIds
    }
  }
  if (invoice.status !== 'paid') {
    return {
      kind: 'refused',
      reason: `the invoice is ${invoice.status} at Stark although it has a credited log`,
      atStark,
      logIds
    }
  }
  if (atStark.amount < 0 || atStark.fee < 0) {
    return {
      kind: 'refused',
      reason: `${show(atStark)} would send ${atStark.amount - atStark.fee} cents, more than the invoice's amount of ${atStark.amount}`,
      atStark,
      logIds
    }
  }
  return { kind: 'credited', credit: atStark, logIds, disagreements }
}

/** Says how a push's claim differs from Stark's values, or undefined when it agrees. */
export function claimDiffers(claim: Money | undefined, atStark: Money): string | undefined {
  if (!claim || (claim.amount === atStark.amount && claim.fee === atStark.fee)) return undefined
  return `the event said ${show(claim)}; Stark's API says ${show(atStark)}`
}

/**
 * Whether the credited logs alone cannot settle the credit, so the invoice itself must be read: they
 * disagree with each other, or with what the event claimed.
 */
export function needsInvoice(logs: CreditedLog[], claim: Money | undefined): boolean {
  const first = logs[0]?.invoice
  if (!first) return false
  const same = (m: Money): boolean => m.amount === first.amount && m.fee === first.fee
  return logs.some((log) => !same(log.invoice)) || (claim !== undefined && !same(claim))
}
