/**
 * The emulator's demo controls (shown only with the emulator): how fast Stark's clock runs, a jump
 * forward in time, and fault injection toggles.
 */
import { useId, useState } from 'react'
import { ControlMessage } from '../../components/ControlMessage'
import { Field } from '../../components/Field'
import { ActionButton } from '../../components/ActionButton'
import { Panel } from '../../components/Panel'
import { useApp, useControl } from '../../store/context'
import { FAULT_TOGGLES, isOn, toggled } from './fault-toggles'

const PRESETS: { label: string; speed: number | 'max' }[] = [
  { label: '1×', speed: 1 },
  { label: '60×', speed: 60 },
  { label: '1440×', speed: 1440 },
  { label: 'Max', speed: 'max' }
]

/** `emulator:clock`'s advanceSeconds limit (src/shared/contract.ts), in minutes. */
const MAX_SKIP_MINUTES = (10 * 365 * 86_400) / 60

export function EmulatorPanel(): React.JSX.Element | null {
  const environment = useApp((s) => s.status?.environment)
  const speed = useApp((s) => s.clock?.speed ?? null)
  const faults = useApp((s) => s.faults)
  const setSpeed = useApp((s) => s.setSpeed)
  const advanceClock = useApp((s) => s.advanceClock)
  const setFaults = useApp((s) => s.setFaults)
  const speedControl = useControl('emulator:speed')
  const faultsControl = useControl('emulator:faults')
  const [custom, setCustom] = useState('')
  const [customError, setCustomError] = useState<string | undefined>()
  const [advance, setAdvance] = useState('60')
  const [advanceError, setAdvanceError] = useState<string | undefined>()
  const groupId = useId()

  if (environment !== 'emulator') return null

  const setCustomSpeed = async (): Promise<void> => {
    const value = Number(custom.trim().replace(',', '.'))
    if (!(value > 0) || value > 10_000_000) {
      setCustomError('Type Stark seconds per real second, from 0.01 to 10,000,000.')
      return
    }
    setCustomError(undefined)
    await setSpeed(value)
  }
  const advanceBy = async (): Promise<void> => {
    const minutes = Number(advance.trim().replace(',', '.'))
    if (!(minutes > 0)) {
      setAdvanceError('Type how many minutes of Stark time to skip, for example 180.')
      return
    }
    // The engine takes seconds, up to ten years: checked here in the minutes the field asks for.
    if (minutes > MAX_SKIP_MINUTES) {
      setAdvanceError(
        `Skip at most ${MAX_SKIP_MINUTES.toLocaleString('en-US')} minutes (ten years) at a time.`
      )
      return
    }
    setAdvanceError(undefined)
    await advanceClock(Math.round(minutes * 60))
  }

  return (
    <Panel title="Emulator" className="emulator-panel">
      <div className="subsection">
        <h3 id={`${groupId}-speed`}>Speed</h3>
        <div className="segmented" role="group" aria-labelledby={`${groupId}-speed`}>
          {PRESETS.map((p) => (
            <button
              key={p.label}
              type="button"
              className="seg"
              aria-pressed={speed === p.speed}
              aria-busy={speedControl.busy}
              onClick={() => void setSpeed(p.speed)}
            >
              {p.label}
            </button>
          ))}
        </div>
        <ControlMessage control="emulator:speed" />
        <form
          className="row row-fields"
          onSubmit={(e) => {
            e.preventDefault()
            void setCustomSpeed()
          }}
        >
          <Field
            label="Custom speed"
            value={custom}
            onChange={setCustom}
            error={customError}
            inputMode="decimal"
            suffix="×"
          />
          <button type="submit" className="btn btn-secondary" aria-busy={speedControl.busy}>
            Set speed
          </button>
        </form>
      </div>

      <div className="subsection">
        <h3>Clock</h3>
        <form
          className="row row-fields"
          onSubmit={(e) => {
            e.preventDefault()
            void advanceBy()
          }}
        >
          <Field
            label="Skip ahead"
            value={advance}
            onChange={setAdvance}
            error={advanceError}
            inputMode="decimal"
            suffix="min"
          />
          <ActionButton control="emulator:advance" label="Advance clock" onPress={advanceBy} />
        </form>
      </div>

      <fieldset className="subsection faults" aria-busy={faultsControl.busy}>
        <legend>Faults (for demos)</legend>
        {FAULT_TOGGLES.map((t) => (
          <label key={t.key} className="toggle">
            <input
              type="checkbox"
              checked={isOn(faults, t.key)}
              disabled={faults === null}
              onChange={(e) => void setFaults(toggled(t.key, e.target.checked))}
            />
            <span className="toggle-text">
              {t.label}
              <span className="muted"> · {t.explain}</span>
            </span>
          </label>
        ))}
        <ControlMessage control="emulator:faults" />
      </fieldset>
    </Panel>
  )
}
