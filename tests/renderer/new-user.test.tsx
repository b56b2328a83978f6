// @vitest-environment happy-dom
/** What a new user found wrong (issue 8): each case is the screen they saw, and what it must say. */
import { act, cleanup, fireEvent, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import type { JournalEntry } from '../../src/shared/journal'
import { createAppStore } from '../../src/renderer/src/store/app-store'
import { connectSession } from '../../src/renderer/src/store/session'
import { barPositions } from '../../src/renderer/src/features/run/timeline-scale'
import { recordedEntries, snapshotAfter } from './helpers/recorded'
import { renderApp as renderWindow } from './helpers/render-app'
import { runningStatus } from './helpers/status'
import { createTestHost } from './helpers/test-host'

const status = runningStatus()

/** The recorded run, stopped by the user after its first batch (the engine then completes it). */
function stoppedAfterFirstBatch(): JournalEntry[] {
  const firstIssued = recordedEntries.findIndex((e) => e.type === 'batch.issued')
  const head = recordedEntries.slice(0, firstIssued + 1)
  const last = head.at(-1)!
  const base = { v: 2, runId: last.runId, wall: last.wall } as const
  return [
    ...head,
    {
      ...base,
      seq: last.seq + 1,
      at: last.at + 1,
      type: 'run.stopped',
      reason: 'stopped by the user'
    },
    { ...base, seq: last.seq + 2, at: last.at + 2, type: 'run.completed' }
  ] as JournalEntry[]
}

afterEach(cleanup)

describe('a new user reading the window', () => {
  it('When a run was stopped, Then it reads Stopped with k of N batches and why, not Complete', () => {
    renderWindow(stoppedAfterFirstBatch(), status)
    expect(screen.getByTestId('run-state').textContent).toBe('Stopped')
    const line = screen.getByTestId('countdown').textContent ?? ''
    expect(line).toMatch(/stopped after 1 of 3 batches/i)
    expect(line).toMatch(/stopped by the user/)
    expect(line).not.toMatch(/complete/i)
  })

  it('When the engine goes away, Then the header says so first, with what to do, and stops the clock', () => {
    const { store } = renderWindow(recordedEntries, status)
    act(() =>
      store.setState({
        connection: { state: 'lost', message: 'The connection to the engine was lost.' }
      })
    )
    expect(screen.getByTestId('runtime-phase').textContent).toBe('Unreachable')
    expect(screen.getByTestId('webhook-state').textContent).toBe('—')
    expect(screen.getByTestId('stark-time').textContent).toBe('—')
    expect(screen.getByRole('alert').textContent).toMatch(/Restart the engine/)
    expect(screen.getByRole('alert').textContent).toMatch(/reconnects by itself/)
  })

  it('When the dashboard socket drops and comes back, Then the store goes lost and live again', () => {
    const host = createTestHost()
    let report: ((state: 'live' | 'lost') => void) | undefined
    const api = Object.assign(host.api, {
      onConnection(listener: (state: 'live' | 'lost') => void) {
        report = listener
        return () => undefined
      }
    })
    const store = createAppStore(api, { wallNow: () => 0 })
    connectSession(store, { wallNow: () => 0 })
    report!('lost')
    expect(store.getState().connection.state).toBe('lost')
    report!('live')
    expect(store.getState().connection.state).toBe('live')
  })

  it('When there is no run, Then Export run cannot be pressed and its title says why', async () => {
    const { host } = renderWindow(null, status)
    const button = screen.getByRole('button', { name: 'Export run' })
    expect(button.getAttribute('aria-disabled')).toBe('true')
    expect(button.getAttribute('title')).toMatch(/no run/i)
    await act(async () => fireEvent.click(button))
    expect(host.calls.filter((c) => c.name === 'run:export')).toHaveLength(0)
  })

  it('When fewest invoices exceeds most, Then the field says so in the labels the user reads', async () => {
    const { host } = renderWindow(null, status)
    fireEvent.change(screen.getByRole('textbox', { name: 'Fewest invoices' }), {
      target: { value: '12' }
    })
    fireEvent.change(screen.getByRole('textbox', { name: 'Most invoices' }), {
      target: { value: '8' }
    })
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Start run' })))
    expect(screen.getByRole('alert').textContent).toBe(
      'Most invoices must be at least Fewest invoices.'
    )
    expect(host.calls.filter((c) => c.name === 'run:start')).toHaveLength(0)
  })

  it('When Skip ahead is beyond the limit, Then a plain sentence in minutes says so', async () => {
    const { host } = renderWindow(null, status)
    fireEvent.change(screen.getByRole('textbox', { name: 'Skip ahead' }), {
      target: { value: '99999999' }
    })
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Advance clock' })))
    const alert = screen.getByRole('alert').textContent ?? ''
    expect(alert).toMatch(/5[.,]?256[.,]?000 minutes/)
    expect(alert).not.toMatch(/advanceSeconds|✖/)
    expect(host.calls.filter((c) => c.name === 'emulator:clock')).toHaveLength(0)
  })

  it('When the run ends, Then the "Run ... started" message under Start run goes away', async () => {
    const live = recordedEntries.filter((e) => e.type !== 'run.completed')
    const { store } = renderWindow(live, status)
    const done = 'Run c2c5aab64e started: 3 batches, 12 invoices'
    act(() => {
      store.setState({ controls: { 'run:start': { busy: false, error: null, done } } })
    })
    expect(screen.queryByText(done)).not.toBeNull()
    act(() => {
      store.setState({ snapshot: snapshotAfter(recordedEntries) })
    })
    expect(store.getState().snapshot?.run?.completed).toBe(true)
    expect(screen.queryByText(done)).toBeNull()
  })

  it('When the run is over, Then an unpaid invoice\'s transfer says unpaid, not "none yet"', () => {
    renderWindow(recordedEntries, status)
    fireEvent.click(screen.getByRole('tab', { name: /Invoices/ }))
    const unpaid = screen.getAllByText(/unpaid/)
    expect(unpaid.length).toBe(4)
    expect(screen.queryByText(/none yet/)).toBeNull()
  })
})

describe('the timeline bars', () => {
  it('When two batches land together, Then their bars are drawn side by side, in order', () => {
    expect(barPositions([100, 300, 300, 305, 400])).toEqual([100, 300, 320, 340, 400])
  })
})
