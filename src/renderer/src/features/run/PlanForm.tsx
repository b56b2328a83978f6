/**
 * The run's plan, filled with the trial's defaults (or the last plan used), and Start run. Amounts
 * are typed in reais and sent as integer cents; intervals in minutes, sent as milliseconds.
 */
import { useState } from 'react'
import { ActionButton } from '../../components/ActionButton'
import { Field } from '../../components/Field'
import { useApp } from '../../store/context'
import { fieldsOf, planOf, type FieldErrors, type PlanFields } from './plan-fields'

export function PlanForm(): React.JSX.Element {
  const lastPlan = useApp((s) => s.prefs.plan)
  const startRun = useApp((s) => s.startRun)
  const [fields, setFields] = useState<PlanFields>(() => fieldsOf(lastPlan))
  const [errors, setErrors] = useState<FieldErrors>({})

  const set = (key: keyof PlanFields) => (value: string) =>
    setFields((f) => ({ ...f, [key]: value }))

  const start = async (): Promise<void> => {
    const result = planOf(fields)
    if ('errors' in result) {
      setErrors(result.errors)
      return
    }
    setErrors({})
    await startRun(result.plan)
  }

  return (
    <form
      className="plan-form"
      onSubmit={(e) => {
        e.preventDefault()
        void start()
      }}
    >
      <div className="field-grid">
        <Field
          label="Batches"
          value={fields.batches}
          onChange={set('batches')}
          error={errors.batches}
          inputMode="numeric"
        />
        <Field
          label="Every"
          value={fields.intervalMinutes}
          onChange={set('intervalMinutes')}
          error={errors.intervalMinutes}
          inputMode="decimal"
          suffix="min"
        />
        <Field
          label="Fewest invoices"
          value={fields.minInvoices}
          onChange={set('minInvoices')}
          error={errors.minInvoices}
          inputMode="numeric"
        />
        <Field
          label="Most invoices"
          value={fields.maxInvoices}
          onChange={set('maxInvoices')}
          error={errors.maxInvoices}
          inputMode="numeric"
        />
        <Field
          label="Smallest amount"
          value={fields.minAmount}
          onChange={set('minAmount')}
          error={errors.minAmount}
          inputMode="decimal"
          prefix="R$"
        />
        <Field
          label="Largest amount"
          value={fields.maxAmount}
          onChange={set('maxAmount')}
          error={errors.maxAmount}
          inputMode="decimal"
          prefix="R$"
        />
        <Field
          label="Settle after last batch"
          value={fields.settleMinutes}
          onChange={set('settleMinutes')}
          error={errors.settleMinutes}
          inputMode="decimal"
          suffix="min"
        />
      </div>
      {errors.form && (
        <p className="control-msg control-error" role="alert">
          {errors.form}
        </p>
      )}
      <div className="row">
        <ActionButton control="run:start" label="Start run" variant="primary" onPress={start} />
        <button
          type="button"
          className="btn btn-quiet"
          onClick={() => {
            setFields(fieldsOf(undefined))
            setErrors({})
          }}
        >
          Trial defaults
        </button>
      </div>
    </form>
  )
}
