import { useEffect, useState } from 'react'
import { APP_NAME } from '../../shared/app-info'
import type { RuntimePhase } from '../../shared/contract'
import { api } from './lib/api'

// A shell until the renderer's panels land: it shows who serves it and that pushes arrive.
function App(): React.JSX.Element {
  const [version, setVersion] = useState<string | null>(null)
  const [phase, setPhase] = useState<RuntimePhase | null>(null)
  const [problem, setProblem] = useState<string | null>(null)

  useEffect(() => {
    let active = true
    const off = api.on('status', (status) => setPhase(status.phase))
    void (async () => {
      const info = await api.app.info()
      if (!active) return
      if (info.ok) setVersion(info.data.version)
      else setProblem(info.message)
      const ready = await api.session.ready({})
      if (active && !ready.ok) setProblem(ready.message)
    })().catch((error: unknown) => active && setProblem(String(error)))
    return () => {
      active = false
      off()
    }
  }, [])

  return (
    <main className="app" data-app-state="loaded">
      <h1>{APP_NAME}</h1>
      <p className="subtitle">Stark Bank sandbox trial, live</p>
      {version && <p className="version">v{version}</p>}
      <p className="phase" role="status" aria-label="Engine">
        {phase ? `Engine ${phase}` : 'Connecting to the engine…'}
      </p>
      {problem && <p role="alert">{problem}</p>}
    </main>
  )
}

export default App
