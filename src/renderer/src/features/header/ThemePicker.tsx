/**
 * Light, dark, or the system's choice (the default). The choice is stored in the preferences and
 * applied as `data-theme` on the page; "system" leaves it to the OS (`color-scheme: light dark`).
 */
import { useEffect, useId } from 'react'
import { THEMES } from '../../../../shared/contract'
import { ControlMessage } from '../../components/ControlMessage'
import { useApp } from '../../store/context'

const LABELS = { system: 'System', light: 'Light', dark: 'Dark' } as const

export function ThemePicker(): React.JSX.Element {
  const theme = useApp((s) => s.prefs.theme)
  const setTheme = useApp((s) => s.setTheme)
  const id = useId()

  useEffect(() => {
    const root = document.documentElement
    if (theme === 'system') delete root.dataset.theme
    else root.dataset.theme = theme
  }, [theme])

  return (
    <div className="theme-picker action action-compact">
      <label htmlFor={id}>Theme</label>
      <select
        id={id}
        value={theme}
        onChange={(e) => void setTheme(e.target.value as (typeof THEMES)[number])}
      >
        {THEMES.map((t) => (
          <option key={t} value={t}>
            {LABELS[t]}
          </option>
        ))}
      </select>
      <ControlMessage control="prefs" />
    </div>
  )
}
