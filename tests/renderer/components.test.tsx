// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { ok } from '../../src/shared/contract'
import { recordedEntries } from './helpers/recorded'
import { renderApp as renderWindow } from './helpers/render-app'
import { runningStatus } from './helpers/status'

const status = runningStatus({ webhook: { listening: true, url: null, rejected: 2 } })

afterEach(cleanup)

describe('the window', () => {
  it('When the emulator runs, Then the header says so in words and shows the webhook state', () => {
    renderWindow(recordedEntries, status)
    expect(screen.getByTestId('environment').textContent).toBe('Emulator')
    expect(screen.getByTestId('webhook-state').textContent).toMatch(/Listening · 2 rejected/)
    expect(screen.getByRole('region', { name: 'Emulator' })).toBeTruthy()
  })

  it('When controls are drawn, Then each accessible name is its visible label', () => {
    renderWindow(recordedEntries, status)
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
    const { host } = renderWindow(recordedEntries, status)
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
    const { host } = renderWindow(recordedEntries, status)
    fireEvent.change(screen.getByRole('textbox', { name: 'Amount' }), {
      target: { value: '12,345' }
    })
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'One invoice now' })))
    expect(screen.getByRole('alert').textContent).toMatch(/two decimals/)
    expect(host.calls.filter((c) => c.name === 'run:one-invoice')).toHaveLength(0)
  })

  it('When an invoice row is chosen, Then its chain, QR code and transfer open, and Escape closes them', async () => {
    const { host } = renderWindow(recordedEntries, status)
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
    renderWindow(recordedEntries, status)
    const chip = screen.getByRole('button', { name: 'Transfers' })
    fireEvent.click(chip)
    expect(chip.getAttribute('aria-pressed')).toBe('true')
    const transfers = recordedEntries.filter((e) => e.type.startsWith('transfer.')).length
    expect(screen.getByTestId('log-count').textContent).toBe(
      `${transfers} of ${recordedEntries.length} entries`
    )
  })
})
