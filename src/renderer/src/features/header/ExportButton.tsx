/** Export the run: a save dialog in the desktop app, a download in the browser dashboard. */
import { ActionButton } from '../../components/ActionButton'
import { useApp } from '../../store/context'

export function ExportButton(): React.JSX.Element {
  const exportRun = useApp((s) => s.exportRun)
  return <ActionButton control="run:export" label="Export run" onPress={exportRun} compact />
}
