/** Money is integer cents everywhere; it becomes text only at the edge, in Brazilian format. */
const brl = new Intl.NumberFormat('pt-BR', { style: 'currency', currency: 'BRL' })

export function formatBRL(cents: number): string {
  if (!Number.isInteger(cents)) throw new RangeError(`money must be integer cents, got ${cents}`)
  return brl.format(cents / 100)
}
