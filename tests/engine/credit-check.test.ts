/**
 * The rule that turns Stark's records into a credit the outbox may act on, and the one definition of
 * a finished transfer, on their own (the engine tests exercise both against the emulator).
 */
import { describe, expect, it } from 'vitest'
import { judgeCredit, needsInvoice } from '../../src/main/engine/credit-check'
import { isFinished, isRetryable, transferOutcome } from '../../src/main/engine/transfer-outcome'
import type { CreditedLog, InvoiceRecord } from '../../src/main/stark/client'
import type { TransferState } from '../../src/shared/snapshot'

const invoice = (over: Partial<InvoiceRecord> = {}): InvoiceRecord => ({
  id: '1',
  amount: 1_000,
  fee: 50,
  name: 'Ana',
  taxId: '012.345.678-90',
  status: 'paid',
  tags: [],
  ...over
})
const log = (id: string, over: Partial<InvoiceRecord> = {}): CreditedLog => ({
  id,
  created: '2024-01-01T00:00:00+00:00',
  invoice: invoice(over)
})

describe('judgeCredit', () => {
  it('When the invoice and its one credited log agree, Then their values are the credit', () => {
    expect(judgeCredit([log('a')], invoice())).toEqual({
      kind: 'credited',
      credit: { amount: 1_000, fee: 50 },
      logIds: ['a'],
      disagreements: []
    })
  })

  it('When there is no credited log, Then it is not credited, whatever the invoice says', () => {
    expect(judgeCredit([], invoice())).toMatchObject({ kind: 'not-credited' })
  })

  it('When a newer log disagrees but an older one agrees with the invoice, Then the agreeing one counts and the other is reported', () => {
    const verdict = judgeCredit([log('new', { fee: -100_000 }), log('old')], invoice())
    expect(verdict).toMatchObject({ kind: 'credited', credit: { amount: 1_000, fee: 50 } })
    expect(verdict.kind === 'credited' && verdict.disagreements.join()).toMatch(/log new says/)
  })

  it.each([
    ['a negative fee', invoice({ fee: -100_000 }), /would send 101000 cents/],
    ['a negative amount', invoice({ amount: -5, fee: 0 }), /more than the invoice's amount/],
    ['an invoice that is not paid', invoice({ status: 'canceled' }), /is canceled at Stark/],
    ['a fractional fee', invoice({ fee: 0.5 }), /whole-cent/]
  ])('When Stark holds %s, Then the credit is refused with the reason', (_what, record, reason) => {
    const verdict = judgeCredit([log('a', { amount: record.amount, fee: record.fee })], record)
    expect(verdict).toMatchObject({ kind: 'refused', reason })
  })

  it('When no log agrees with the invoice, Then the credit is refused, naming each log', () => {
    expect(judgeCredit([log('x', { fee: -100_000 })], invoice({ fee: 0 }))).toMatchObject({
      kind: 'refused',
      reason: /no credited log agrees with the invoice: credited log x says/
    })
  })
})

describe('needsInvoice', () => {
  it('When every log and the event agree, Then the logs are enough; otherwise the invoice is read', () => {
    const same = { amount: 1_000, fee: 50 }
    expect(needsInvoice([log('a'), log('b')], same)).toBe(false)
    expect(needsInvoice([log('a')], undefined)).toBe(false)
    expect(needsInvoice([log('a')], { amount: 1_000, fee: -100_000 })).toBe(true)
    expect(needsInvoice([log('a'), log('b', { fee: 60 })], same)).toBe(true)
    expect(needsInvoice([], same)).toBe(false)
  })
})

describe('transferOutcome', () => {
  const transfer = (over: Partial<TransferState>): TransferState => ({
    invoiceId: '1',
    externalId: 'ssim-1',
    amount: 950,
    attempt: 0,
    errorCount: 0,
    ...over
  })
  it.each([
    [{}, 'pending', false, false],
    [{ transferId: 't', status: 'processing' }, 'pending', false, false],
    [{ transferId: 't', status: 'success' }, 'succeeded', true, false],
    [{ transferId: 't', status: 'failed' }, 'failed', true, true],
    [{ transferId: 't', status: 'canceled' }, 'canceled', true, true],
    [
      { lastError: { message: '400', outcome: 'rejected' as const, retryAt: null } },
      'rejected',
      true,
      true
    ],
    [
      { lastError: { message: '500', outcome: 'unknown' as const, retryAt: 1 } },
      'pending',
      false,
      false
    ],
    [{ skipped: 'nets 0' }, 'skipped', true, false]
  ])('%j is %s (finished %s, retryable %s)', (over, outcome, finished, retryable) => {
    const t = transfer(over)
    expect([transferOutcome(t), isFinished(t), isRetryable(t)]).toEqual([
      outcome,
      finished,
      retryable
    ])
  })
})
