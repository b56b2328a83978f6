/**
 * Random people for the trial's invoices: realistic Brazilian names from faker's pt_BR locale, valid
 * CPFs that are distinct within a run, and amounts in integer cents within the plan's range.
 */
import { base, en, Faker, pt_BR } from '@faker-js/faker'
import { randomCpf } from '../stark/tax-id'
import { createRng, type Rng } from '../time/rng'

export interface Payer {
  name: string
  taxId: string
  amount: number
}

export class PayerFactory {
  private readonly faker: Faker
  private readonly rng: Rng
  private readonly usedTaxIds = new Set<string>()

  constructor(seed: number, usedTaxIds: Iterable<string> = []) {
    this.faker = new Faker({ locale: [pt_BR, en, base], seed })
    this.rng = createRng(seed)
    for (const taxId of usedTaxIds) this.usedTaxIds.add(taxId)
  }

  next(minAmount: number, maxAmount: number): Payer {
    let taxId = randomCpf(this.rng)
    while (this.usedTaxIds.has(taxId)) taxId = randomCpf(this.rng)
    this.usedTaxIds.add(taxId)
    return {
      name: this.faker.person.fullName(),
      taxId,
      amount: this.rng.int(minAmount, maxAmount)
    }
  }
}
