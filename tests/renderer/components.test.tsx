// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { ok, type RuntimeStatus } from '../../src/shared/contract'
import App from '../../src/renderer/src/App'
import { createAppStore } from '../../src/renderer/src/store/app-store'
import { StoreContext } from '../../src/renderer/src/store/context'
import { recordedEntries, snapshotAfter } from './helpers/recorded'
import { createTestHost } from './helpers/test-host'

const status: RuntimeStatus = {
  phase: 'running',
  error: null,
  environment: 'emulator',
  target: { kind: 'embedded', label: 'Embedded emulator', emulatorUrl: null, projectId: null },
  stateDir: '/tmp/x',
  webhook: { listening: true, url: null, rejected: 2 },
  clock: { now: recordedEntries.at(-1)!.at, speed: 1440 },
  publicUrl: null
}

function renderApp() {
  const host = createTestHost()
  const store = createAppStore(host.api, { wallNow: () => 0 })
  store.setState({
    status,
    snapshot: snapshotAfter(recordedEntries),
    clock: { stark: status.clock.now, wall: 0, speed: 1440 },
    connection: { state: 'live', message: null }
  })
  store.getState().appendEntries(recordedEntries)
  render(
    <StoreContext.Provider value={store}>
      <App />
    </StoreContext.Provider>
  )
  return { host, store }
}

afterEach(cleanup)

describe('the window', () => {
  it('When the emulator runs, Then the header says so in words and shows the webhook state', () => {
    renderApp()
    expect(screen.getByTestId('environment').textContent).toBe('Emulator')
    expect(screen.getByTestId('webhook-state').textContent).toMatch(/Listening · 2 rejected/)
    expect(screen.getByRole('region', { name: 'Emulator' })).toBeTruthy()
  })

  it('When controls are drawn, Then each accessible name is its visible label', () => {
    renderApp()
    for (const button of screen.getAllByRole('button')) {
      const name = button.getAttribute('aria-label') ?? button.textContent?.trim()
      expect(name, button.outerHTML.slice(0, 80)).toBe(button.textContent?.trim())
    }
    expect(screen.getByRole('button', { name: 'Start run' })).toBeTruthy()
    expect(screen.getByRole('button', { name: 'One invoice now' })).toBeTruthy()
    expect(screen.getByRole('textbox', { name: 'Amount' })).toBeTruthy()
    expect(screen.getByRole('log', { name: 'Live log' })).toBeTruthy()
  })

  it('When an operation fails, Then the message appears next to its button', async () => {
    const { host } = renderApp()
    host.answer('run:one-invoice', () => ({
      ok: false,
      code: 'run_ended',
      message: 'Run f9 is complete: it issues nothing more. Start a new run.'
    }))
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'One invoice now' })))
    const alert = screen.getByRole('alert')
    expect(alert.textContent).toMatch(/Start a new run/)
    expect(alert.closest('.action')?.querySelector('button')?.textContent).toBe('One invoice now')
  })

  it('When the amount is not money, Then the field says so and nothing is sent', async () => {
    const { host } = renderApp()
    fireEvent.change(screen.getByRole('textbox', { name: 'Amount' }), {
      target: { value: '12,345' }
    })
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'One invoice now' })))
    expect(screen.getByRole('alert').textContent).toMatch(/two decimals/)
    expect(host.calls.filter((c) => c.name === 'run:one-invoice')).toHaveLength(0)
  })

  it('When an invoice row is chosen, Then its chain, QR code and transfer open, and Escape closes them', async () => {
    const { host } = renderApp()
    const credited = recordedEntries.find((e) => e.type === 'invoice.credited')!
    const invoiceId = credited.type === 'invoice.credited' ? credited.invoiceId : ''
    host.answer('invoice:chain', () =>
      ok({
        invoiceId,
        entries: recordedEntries.filter((e) => JSON.stringify(e).includes(invoiceId))
      })
    )
    host.answer('invoice:qrcode', () => ok({ dataUrl: 'data:image/png;base64,iVBORw0KGgo=' }))
    fireEvent.click(screen.getByRole('tab', { name: /Invoices/ }))
    await act(async () => fireEvent.click(screen.getByRole('button', { name: invoiceId })))
    const detail = screen.getByRole('complementary', { name: `Invoice ${invoiceId}` })
    expect(
      within(detail).getByRole('img', { name: `Pix QR code of invoice ${invoiceId}` })
    ).toBeTruthy()
    expect(within(detail).getAllByText(/webhook/).length).toBeGreaterThan(0)
    expect(within(detail).getByTestId('transfer-status').textContent).toBe('success')
    fireEvent.keyDown(document, { key: 'Escape' })
    expect(screen.queryByRole('complementary')).toBeNull()
  })

  it('When a kind chip is pressed, Then it reads as pressed and the count says how many match', () => {
    renderApp()
    const chip = screen.getByRole('button', { name: 'Transfers' })
    fireEvent.click(chip)
    expect(chip.getAttribute('aria-pressed')).toBe('true')
    const transfers = recordedEntries.filter((e) => e.type.startsWith('transfer.')).length
    expect(screen.getByTestId('log-count').textContent).toBe(
      `${transfers} of ${recordedEntries.length} entries`
    )
  })
})
