/**
 * One invoice now: one click issues an invoice with a generated payer and amount; the name and the
 * amount (in reais, sent as integer cents) are optional.
 */
import { useState } from 'react'
import { ActionButton } from '../../components/ActionButton'
import { Field } from '../../components/Field'
import { parseBRLToCents } from '../../lib/format'
import { useApp } from '../../store/context'

export function OneInvoiceForm(): React.JSX.Element {
  const oneInvoice = useApp((s) => s.oneInvoice)
  const [name, setName] = useState('')
  const [amount, setAmount] = useState('')
  const [amountError, setAmountError] = useState<string | undefined>()

  const issue = async (): Promise<void> => {
    const args: { name?: string; amount?: number } = {}
    if (name.trim() !== '') args.name = name.trim()
    if (amount.trim() !== '') {
      const parsed = parseBRLToCents(amount)
      if ('error' in parsed) {
        setAmountError(parsed.error)
        return
      }
      args.amount = parsed.cents
    }
    setAmountError(undefined)
    await oneInvoice(args)
  }

  return (
    <div className="one-invoice">
      <div className="row row-fields">
        <Field
          label="Payer name"
          value={name}
          onChange={setName}
          placeholder="generated"
          width="wide"
        />
        <Field
          label="Amount"
          value={amount}
          onChange={setAmount}
          error={amountError}
          placeholder="random"
          inputMode="decimal"
          prefix="R$"
        />
      </div>
      <p className="control-msg control-hint">Both optional: left empty, they are generated.</p>
      <ActionButton
        control="run:one-invoice"
        label="One invoice now"
        variant="primary"
        onPress={issue}
      />
    </div>
  )
}
