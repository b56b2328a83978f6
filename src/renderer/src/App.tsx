/**
 * The window: the header across the top (with the Environment switch); on the left, what drives the
 * run (plan, controls, one invoice), the sandbox key, the emulator's controls and the public webhook
 * URL; on the right, what the audience watches (progress and timeline, totals,
 * the live log or the invoices, and the chain of whatever is selected).
 */
import { DetailPane } from './features/detail/DetailPane'
import { EmulatorPanel } from './features/emulator/EmulatorPanel'
import { Header } from './features/header/Header'
import { InvoicesTable } from './features/invoices/InvoicesTable'
import { LiveLog } from './features/log/LiveLog'
import { PublicUrlPanel } from './features/public-url/PublicUrlPanel'
import { Progress } from './features/run/Progress'
import { RunPanel } from './features/run/RunPanel'
import { SandboxPanel } from './features/sandbox/SandboxPanel'
import { Tabs } from './features/Tabs'
import { Totals } from './features/totals/Totals'
import { useApp } from './store/context'

function App(): React.JSX.Element {
  const tab = useApp((s) => s.tab)
  const loaded = useApp((s) => s.connection.state !== 'connecting')
  const detailOpen = useApp((s) => s.selection !== null)

  return (
    <div className="app" data-app-state={loaded ? 'loaded' : 'loading'}>
      <Header />
      <div className="layout">
        <div className="sidebar">
          <RunPanel />
          <SandboxPanel />
          <EmulatorPanel />
          <PublicUrlPanel />
        </div>
        <main className="stage">
          <Progress />
          <Totals />
          <div className={`work${detailOpen ? ' with-detail' : ''}`}>
            <div className="work-main">
              <Tabs />
              <div
                role="tabpanel"
                id={`panel-${tab}`}
                aria-labelledby={`tab-${tab}`}
                className="tab-panel"
              >
                {tab === 'log' ? <LiveLog /> : <InvoicesTable />}
              </div>
            </div>
            <DetailPane />
          </div>
        </main>
      </div>
    </div>
  )
}

export default App
