// @vitest-environment happy-dom
/**
 * The Environment control (issue 9): the badge, the confirm dialog (focus, Escape), the switch's
 * progress, a refusal next to the control that brings the Sandbox panel forward, and Try again.
 */
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { fail, ok } from '../../src/shared/contract'
import { emulatorView, renderApp } from './helpers/render-app'
import { recordedEntries } from './helpers/recorded'
import { runningStatus } from './helpers/status'

afterEach(cleanup)

const flush = (): Promise<void> => act(() => new Promise<void>((r) => setTimeout(r, 0)))

const group = (): HTMLElement => screen.getByRole('group', { name: 'Environment' })

describe('the Environment control', () => {
  it('When the emulator runs, Then Emulator is pressed and the badge says Emulator', async () => {
    renderApp()
    await flush()
    expect(
      within(group()).getByRole('button', { name: 'Emulator' }).getAttribute('aria-pressed')
    ).toBe('true')
    expect(
      within(group()).getByRole('button', { name: 'Sandbox' }).getAttribute('aria-pressed')
    ).toBe('false')
    expect(screen.getByTestId('environment').textContent).toBe('Emulator')
  })

  it('When the sandbox runs, Then the badge is the sandbox one with its project id', async () => {
    renderApp(
      recordedEntries,
      runningStatus({
        environment: 'sandbox',
        target: { kind: 'sandbox', label: 'Sandbox', emulatorUrl: null, projectId: '5656' }
      })
    )
    await flush()
    const badge = screen.getByTestId('environment')
    expect(badge.textContent).toBe('Sandbox project 5656')
    expect(badge.className).toMatch(/env-sandbox/)
    expect(
      within(group()).getByRole('button', { name: 'Sandbox' }).getAttribute('aria-pressed')
    ).toBe('true')
  })

  it('When Sandbox is chosen, Then a dialog names the folder, takes the focus, and Escape cancels without switching', async () => {
    const { host } = renderApp(recordedEntries, runningStatus(), {
      setup: (h) =>
        h.answer('environment:get', () =>
          ok(emulatorView({ stateDirs: { emulator: '/data/emulator', sandbox: null } }))
        )
    })
    await flush()
    const sandbox = within(group()).getByRole('button', { name: 'Sandbox' })
    sandbox.focus()
    fireEvent.click(sandbox)
    const dialog = screen.getByRole('dialog', { name: 'Switch to the Sandbox?' })
    expect(dialog.getAttribute('aria-modal')).toBe('true')
    expect(dialog.textContent).toMatch(/stops cleanly and stays in its folder \/data\/emulator/)
    expect(dialog.textContent).toMatch(/resumes when you come back/)
    expect(dialog.contains(document.activeElement)).toBe(true)
    expect(document.activeElement?.textContent).toBe('Switch to Sandbox')
    // Tab stays inside: from the last button back to the first, and Shift+Tab the other way.
    const cancel = within(dialog).getByRole('button', { name: 'Cancel' })
    cancel.focus()
    fireEvent.keyDown(cancel, { key: 'Tab' })
    expect(document.activeElement?.textContent).toBe('Switch to Sandbox')
    fireEvent.keyDown(document.activeElement!, { key: 'Tab', shiftKey: true })
    expect(document.activeElement).toBe(cancel)
    fireEvent.keyDown(document.activeElement!, { key: 'Escape' })
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(document.activeElement).toBe(sandbox)
    expect(host.calls.filter((c) => c.name === 'environment:switch')).toHaveLength(0)
  })

  it('When the switch is confirmed, Then the host is asked for the sandbox and the phase shows as progress', async () => {
    const { host, store } = renderApp()
    await flush()
    let finish: () => void = () => undefined
    host.answer(
      'environment:switch',
      () =>
        new Promise((resolve) => {
          finish = () => resolve(ok(emulatorView({ environment: 'sandbox' })))
        })
    )
    fireEvent.click(within(group()).getByRole('button', { name: 'Sandbox' }))
    await act(async () =>
      fireEvent.click(screen.getByRole('button', { name: 'Switch to Sandbox' }))
    )
    expect(host.calls.find((c) => c.name === 'environment:switch')?.args).toEqual({
      environment: 'sandbox'
    })
    act(() => store.setState({ status: runningStatus({ phase: 'stopping' }) }))
    expect(screen.getByTestId('switch-progress').textContent).toBe('Stopping the emulator…')
    act(() =>
      store.setState({ status: runningStatus({ phase: 'starting', environment: 'sandbox' }) })
    )
    expect(screen.getByTestId('switch-progress').textContent).toBe('Starting the sandbox…')
    await act(async () => finish())
    act(() => store.setState({ status: runningStatus({ environment: 'sandbox' }) }))
    expect(screen.queryByTestId('switch-progress')).toBeNull()
  })

  it('When the sandbox is refused for lack of a key, Then the message is next to the control and the Sandbox panel takes the focus', async () => {
    const message =
      'No sandbox credentials are saved yet. In the Sandbox panel, give the project id and load, paste or generate its private key, then switch again.'
    const { host } = renderApp()
    await flush()
    host.answer('environment:switch', () => fail('no_credentials', message))
    fireEvent.click(within(group()).getByRole('button', { name: 'Sandbox' }))
    await act(async () =>
      fireEvent.click(screen.getByRole('button', { name: 'Switch to Sandbox' }))
    )
    await flush()
    const alert = screen
      .getAllByRole('alert')
      .find((a) => a.getAttribute('data-error-for') === 'environment:switch')
    expect(alert?.textContent).toBe(message)
    const panel = screen.getByTestId('sandbox-panel')
    expect(panel.contains(document.activeElement)).toBe(true)
    expect(document.activeElement).toBe(screen.getByRole('textbox', { name: 'Project id' }))
  })

  it('When the engine failed, Then its message tops the stage with Try again, which restarts the same environment', async () => {
    const { host } = renderApp(
      recordedEntries,
      runningStatus({
        phase: 'failed',
        error: { code: 'state_locked', message: 'Another process holds the folder. Close it.' }
      })
    )
    await flush()
    host.answer('environment:switch', () => ok(emulatorView()))
    const run = screen.getByRole('region', { name: 'Progress' })
    expect(within(screen.getByRole('region', { name: 'Run' })).queryByRole('alert')).toBeNull()
    expect(within(run).getByRole('alert').textContent).toBe(
      'Another process holds the folder. Close it.'
    )
    await act(async () => fireEvent.click(within(run).getByRole('button', { name: 'Try again' })))
    expect(host.calls.find((c) => c.name === 'environment:switch')?.args).toEqual({
      environment: 'emulator'
    })
  })
})
