import { useEffect, useState } from 'react'
import { APP_NAME } from '../../shared/app-info'
import { api } from './lib/api'

function App(): React.JSX.Element {
  const [version, setVersion] = useState<string | null>(null)

  useEffect(() => {
    let active = true
    api.app
      .info()
      .then((result) => {
        if (active && result.ok) setVersion(result.data.version)
      })
      .catch((error: unknown) => console.error('app:info failed', error))
    return () => {
      active = false
    }
  }, [])

  return (
    <main className="app" data-app-state="loaded">
      <h1>{APP_NAME}</h1>
      <p className="subtitle">Stark Bank sandbox trial, live</p>
      {version && <p className="version">v{version}</p>}
    </main>
  )
}

export default App
