/** CPF and CNPJ check digits against the ids Stark itself uses (shared/stark-api.md §5). */
import { describe, expect, it } from 'vitest'
import { isValidCnpj, isValidCpf, isValidTaxId, randomCpf } from '../../src/main/stark/tax-id'
import { createRng } from '../../src/main/time/rng'

const VALID_CPFS = [
  '012.345.678-90',
  '337.451.076-08',
  '330.731.970-10',
  '845.353.790-92',
  '811.439.540-09',
  '594.739.480-42'
]
const VALID_CNPJS = [
  '20.018.183/0001-80',
  '29.176.331/0001-69',
  '45.059.493/0001-73',
  '91.642.017/0001-06'
]

describe('tax ids', () => {
  it('When a CPF from Stark examples is checked, formatted or bare, Then it is valid', () => {
    for (const cpf of VALID_CPFS) {
      expect(isValidCpf(cpf)).toBe(true)
      expect(isValidCpf(cpf.replace(/\D/g, ''))).toBe(true)
      expect(isValidTaxId(cpf)).toBe(true)
    }
  })

  it('When a CNPJ from Stark examples is checked, formatted or bare, Then it is valid', () => {
    for (const cnpj of VALID_CNPJS) {
      expect(isValidCnpj(cnpj)).toBe(true)
      expect(isValidCnpj(cnpj.replace(/\D/g, ''))).toBe(true)
      expect(isValidTaxId(cnpj)).toBe(true)
    }
  })

  it('When ids have wrong check digits, identical digits or are not strings, Then they are invalid', () => {
    for (const bad of [
      '000.000.000-00',
      '00.000.000/0000-00',
      '123.456.789-10',
      '012.345.678-91',
      '20.018.183/0001-81',
      '111.111.111-11',
      '012.345.67890',
      'abc',
      '',
      123,
      {},
      null
    ]) {
      expect(isValidTaxId(bad), String(JSON.stringify(bad))).toBe(false)
    }
  })

  it('When random CPFs are drawn, Then every one is valid and formatted', () => {
    const rng = createRng(1)
    for (let i = 0; i < 1000; i++) {
      const cpf = randomCpf(rng)
      expect(cpf).toMatch(/^\d{3}\.\d{3}\.\d{3}-\d{2}$/)
      expect(isValidCpf(cpf)).toBe(true)
    }
  })
})
