/**
 * CPF and CNPJ check digits, as Stark validates them (shared/stark-api.md §5). Used by the emulator to
 * reject invalid ids with `invalidTaxId` and by the engine to make valid random payers.
 */
import type { Rng } from '../time/rng'

const digitsOf = (value: string): number[] => [...value.replace(/\D/g, '')].map(Number)

const allSame = (digits: number[]): boolean => digits.every((d) => d === digits[0])

function cpfCheckDigit(digits: number[]): number {
  const weightStart = digits.length + 1
  const sum = digits.reduce((acc, d, i) => acc + d * (weightStart - i), 0)
  const r = (sum * 10) % 11
  return r === 10 ? 0 : r
}

function cnpjCheckDigit(digits: number[]): number {
  const weights = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2].slice(13 - digits.length)
  const r = digits.reduce((acc, d, i) => acc + d * (weights[i] as number), 0) % 11
  return r < 2 ? 0 : 11 - r
}

const FORMATTED_CPF = /^\d{3}\.\d{3}\.\d{3}-\d{2}$/
const FORMATTED_CNPJ = /^\d{2}\.\d{3}\.\d{3}\/\d{4}-\d{2}$/

/** Accepts formatted (`012.345.678-90`) or bare digits; anything else is invalid. */
export function isValidCpf(value: string): boolean {
  if (!FORMATTED_CPF.test(value) && !/^\d{11}$/.test(value)) return false
  const d = digitsOf(value)
  if (allSame(d)) return false
  return cpfCheckDigit(d.slice(0, 9)) === d[9] && cpfCheckDigit(d.slice(0, 10)) === d[10]
}

export function isValidCnpj(value: string): boolean {
  if (!FORMATTED_CNPJ.test(value) && !/^\d{14}$/.test(value)) return false
  const d = digitsOf(value)
  if (allSame(d)) return false
  return cnpjCheckDigit(d.slice(0, 12)) === d[12] && cnpjCheckDigit(d.slice(0, 13)) === d[13]
}

export function isValidTaxId(value: unknown): value is string {
  return typeof value === 'string' && (isValidCpf(value) || isValidCnpj(value))
}

export function formatCpf(digits: string): string {
  return digits.replace(/^(\d{3})(\d{3})(\d{3})(\d{2})$/, '$1.$2.$3-$4')
}

/** A random valid CPF, formatted. */
export function randomCpf(rng: Rng): string {
  for (;;) {
    const base = Array.from({ length: 9 }, () => rng.int(0, 9))
    if (allSame(base)) continue
    const d9 = cpfCheckDigit(base)
    const d10 = cpfCheckDigit([...base, d9])
    return formatCpf([...base, d9, d10].join(''))
  }
}
