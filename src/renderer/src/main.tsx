import './assets/main.css'

import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import App from './App'
import { api } from './lib/api'
import { createAppStore } from './store/app-store'
import { StoreContext } from './store/context'
import { connectSession } from './store/session'

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root element')

const wallNow = (): number => Date.now()
const store = createAppStore(api, { wallNow })
connectSession(store, { wallNow })

createRoot(root).render(
  <StrictMode>
    <StoreContext.Provider value={store}>
      <App />
    </StoreContext.Provider>
  </StrictMode>
)
