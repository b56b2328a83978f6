/** Export the run: a save dialog in the desktop app, a download in the browser dashboard. */
import { ActionButton } from '../../components/ActionButton'
import { useApp } from '../../store/context'

/** Its outcome is shown by the header, on a row of its own, so it covers nothing. */
export function ExportButton(): React.JSX.Element {
  const exportRun = useApp((s) => s.exportRun)
  const hasRun = useApp((s) => Boolean(s.snapshot?.run))
  return (
    <ActionButton
      control="run:export"
      label="Export run"
      onPress={exportRun}
      compact
      disabled={!hasRun}
      title={hasRun ? undefined : 'There is no run to export yet: start a run first.'}
      message="none"
    />
  )
}
