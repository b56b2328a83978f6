import { describe, expect, it } from 'vitest'
import { formatDuration, formatSpeed, parseBRLToCents } from '../../src/renderer/src/lib/format'
import { fieldsOf, planOf } from '../../src/renderer/src/features/run/plan-fields'
import { planSchema } from '../../src/shared/plan'

describe('amounts typed in reais', () => {
  it.each([
    ['150', 15_000],
    ['150,5', 15_050],
    ['150,05', 15_005],
    ['1.234,56', 123_456],
    ['R$ 10,00', 1_000],
    ['12.50', 1_250],
    ['0,01', 1]
  ])('When "%s" is typed, Then it is %i cents', (text, cents) => {
    expect(parseBRLToCents(text)).toEqual({ cents })
  })

  it.each(['', 'abc', '1,234', '-5', '0', '12,3,4', '2.000.000,00'])(
    'When "%s" is typed, Then it is refused with what to type',
    (text) => {
      const result = parseBRLToCents(text)
      expect('error' in result && result.error.length > 10).toBe(true)
    }
  )
})

describe('countdowns and speeds', () => {
  it('When durations are shown, Then they read naturally', () => {
    expect(formatDuration(2 * 3_600_000 + 5 * 60_000)).toBe('2 h 05 min')
    expect(formatDuration(4 * 60_000 + 9_000)).toBe('4 min 09 s')
    expect(formatDuration(12_000)).toBe('12 s')
    expect(formatDuration(400)).toBe('0.4 s')
    expect(formatDuration(-5)).toBe('0 s')
    expect(formatSpeed(1440)).toBe('1440×')
    expect(formatSpeed('max')).toBe('max')
  })
})

describe('the plan form', () => {
  it('When left at its defaults, Then it starts the trial plan (8 batches every 3 h, R$ 10 to R$ 1.000)', () => {
    const result = planOf(fieldsOf(undefined))
    expect('plan' in result && planSchema.parse(result.plan)).toEqual(planSchema.parse({}))
    expect(fieldsOf(undefined).minAmount).toBe('10,00')
  })

  it('When minutes and reais are typed, Then the plan has milliseconds and integer cents', () => {
    const fields = {
      ...fieldsOf(undefined),
      intervalMinutes: '5',
      minAmount: '1,50',
      maxAmount: '2.000,00',
      settleMinutes: '0'
    }
    expect(planOf(fields)).toEqual({
      plan: expect.objectContaining({
        intervalMs: 300_000,
        minAmount: 150,
        maxAmount: 200_000,
        settleMs: 0
      })
    })
  })

  it('When a field is wrong, Then that field says what to type', () => {
    const result = planOf({ ...fieldsOf(undefined), batches: '0', maxAmount: 'lots' })
    expect('errors' in result && Object.keys(result.errors).sort()).toEqual([
      'batches',
      'maxAmount'
    ])
    const crossed = planOf({ ...fieldsOf(undefined), minInvoices: '9', maxInvoices: '3' })
    expect('errors' in crossed && crossed.errors).toEqual({
      maxInvoices: 'Most invoices must be at least Fewest invoices.'
    })
    const amounts = planOf({ ...fieldsOf(undefined), minAmount: '50,00', maxAmount: '10,00' })
    expect('errors' in amounts && amounts.errors).toEqual({
      maxAmount: 'Largest amount must be at least Smallest amount.'
    })
    const many = planOf({ ...fieldsOf(undefined), batches: '1001' })
    expect('errors' in many && many.errors.batches).toBe(
      'Batches: type a whole number from 1 to 1000.'
    )
  })
})
