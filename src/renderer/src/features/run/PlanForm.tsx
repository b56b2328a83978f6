/**
 * The run's plan, filled with the trial's defaults (or the last plan used), and Start run. Amounts
 * are typed in reais and sent as integer cents; intervals in minutes, sent as milliseconds.
 */
import { useState } from 'react'
import { ActionButton } from '../../components/ActionButton'
import { ControlMessage } from '../../components/ControlMessage'
import { Field } from '../../components/Field'
import { useApp } from '../../store/context'
import { fieldsOf, planOf, type FieldErrors, type PlanFields } from './plan-fields'

/** The plan's inputs, in order: label, unit and keyboard each field gets. */
const PLAN_INPUTS: {
  key: keyof PlanFields
  label: string
  inputMode: 'numeric' | 'decimal'
  prefix?: string
  suffix?: string
}[] = [
  { key: 'batches', label: 'Batches', inputMode: 'numeric' },
  { key: 'intervalMinutes', label: 'Every', inputMode: 'decimal', suffix: 'min' },
  { key: 'minInvoices', label: 'Fewest invoices', inputMode: 'numeric' },
  { key: 'maxInvoices', label: 'Most invoices', inputMode: 'numeric' },
  { key: 'minAmount', label: 'Smallest amount', inputMode: 'decimal', prefix: 'R$' },
  { key: 'maxAmount', label: 'Largest amount', inputMode: 'decimal', prefix: 'R$' },
  { key: 'settleMinutes', label: 'Settle after last batch', inputMode: 'decimal', suffix: 'min' }
]

export function PlanForm(): React.JSX.Element {
  const lastPlan = useApp((s) => s.prefs.plan)
  const startRun = useApp((s) => s.startRun)
  const runEnded = useApp((s) => {
    const run = s.snapshot?.run
    return !run || run.stopped || run.completed
  })
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
        {PLAN_INPUTS.map(({ key, ...input }) => (
          <Field key={key} {...input} value={fields[key]} onChange={set(key)} error={errors[key]} />
        ))}
      </div>
      {errors.form && (
        <p className="control-msg control-error" role="alert">
          {errors.form}
        </p>
      )}
      <div className="row">
        <ActionButton
          control="run:start"
          label="Start run"
          variant="primary"
          onPress={start}
          message="none"
        />
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
      {/* Under the row, so Trial defaults stays beside Start run. "Run ... started" holds while
          that run goes; once it ended, the form is for the next run. */}
      <ControlMessage control="run:start" errorsOnly={runEnded} />
    </form>
  )
}
