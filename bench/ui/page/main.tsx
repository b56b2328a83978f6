/**
 * bench:ui's test-only page: the real store and the real LiveLog (or the plain baseline list, with
 * ?mode=plain), fed by `window.bench` instead of a host. Never part of the app's build.
 */
import '../../../src/renderer/src/assets/main.css'

import { createRoot } from 'react-dom/client'
import type { RendererApi } from '../../../src/shared/contract'
import { LiveLog } from '../../../src/renderer/src/features/log/LiveLog'
import { createAppStore } from '../../../src/renderer/src/store/app-store'
import { StoreContext } from '../../../src/renderer/src/store/context'
import { makeEntries } from './entries'
import { PlainLog } from './PlainLog'

/** No host: every operation answers that the bench page has none (nothing here calls one). */
const noHost = new Proxy({} as RendererApi, {
  get: (_t, key) =>
    key === 'on'
      ? () => () => {}
      : new Proxy(
          {},
          { get: () => async () => ({ ok: false, code: 'not_found', message: 'bench page' }) }
        )
})

const store = createAppStore(noHost, { wallNow: () => Date.now() })
const plain = new URLSearchParams(location.search).get('mode') === 'plain'

const frames = (n = 2): Promise<void> =>
  new Promise((resolve) => {
    const step = (left: number): void => {
      if (left === 0) resolve()
      else requestAnimationFrame(() => step(left - 1))
    }
    step(n)
  })

/** Resolves after the next paint: one animation frame, then the task after it. */
const painted = (): Promise<void> =>
  new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)))

const lastRowSeq = (): number => {
  const rows = document.querySelectorAll<HTMLElement>('.log-row')
  let max = 0
  rows.forEach((r) => (max = Math.max(max, Number(r.dataset.seq))))
  return max
}

Object.assign(window, {
  bench: {
    /** Appends `count` generated entries; resolves once the list has painted them. */
    async load(count: number): Promise<number> {
      const entries = makeEntries(count, store.getState().journal.lastSeq + 1)
      const t0 = performance.now()
      store.getState().appendEntries(entries)
      await painted()
      return performance.now() - t0
    },
    /** Sets the text filter; resolves with the time until the filtered list has painted. */
    async filter(text: string): Promise<{ ms: number; shown: number }> {
      const t0 = performance.now()
      store.getState().setFilterText(text)
      await painted()
      const ms = performance.now() - t0
      const shown = store.getState().journal.filter(store.getState().filter).length
      return { ms, shown }
    },
    rowsInDom: (): number => document.querySelectorAll('.log-row').length,
    lastRowSeq,
    lastSeq: (): number => store.getState().journal.lastSeq,
    /**
     * Pushes `perSecond` entries a second for `seconds`, in 20 batches a second (what the host's
     * coalescing sends), and reports long tasks and how far the painted tail lagged behind.
     */
    async stream(perSecond: number, seconds: number) {
      const longTasks: number[] = []
      const observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) longTasks.push(e.duration)
      })
      observer.observe({ type: 'longtask', buffered: false })
      const batch = Math.round(perSecond / 20)
      let maxLag = 0
      let behindAtEnd = 0
      const t0 = performance.now()
      for (let i = 0; i < seconds * 20; i++) {
        const due = t0 + i * 50
        await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())))
        store.getState().appendEntries(makeEntries(batch, store.getState().journal.lastSeq + 1))
        await frames(1)
        maxLag = Math.max(maxLag, store.getState().journal.lastSeq - lastRowSeq())
      }
      await frames()
      behindAtEnd = store.getState().journal.lastSeq - lastRowSeq()
      const elapsed = performance.now() - t0
      observer.disconnect()
      return {
        elapsedMs: elapsed,
        pushed: seconds * 20 * batch,
        longTasks: longTasks.length,
        maxLongTaskMs: longTasks.length ? Math.max(...longTasks) : 0,
        maxLagEntries: maxLag,
        behindAtEnd,
        following: store.getState().followTail
      }
    }
  }
})

createRoot(document.getElementById('root')!).render(
  <StoreContext.Provider value={store}>{plain ? <PlainLog /> : <LiveLog />}</StoreContext.Provider>
)
document.body.dataset.ready = 'true'
