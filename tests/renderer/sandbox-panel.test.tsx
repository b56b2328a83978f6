// @vitest-environment happy-dom
/**
 * The Sandbox panel (issue 9): how the key is kept, the key's sources, the saved key with what Stark
 * needs, Delete key behind a question, and Test connection's answers.
 */
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { fail, ok } from '../../src/shared/contract'
import type { CredentialsView, KeysView } from '../../src/shared/environment'
import { memoryKeys, renderApp } from './helpers/render-app'
import { recordedEntries } from './helpers/recorded'
import { runningStatus } from './helpers/status'
import type { TestHost } from './helpers/test-host'

afterEach(() => {
  cleanup()
  vi.restoreAllMocks()
})

const flush = (): Promise<void> => act(() => new Promise<void>((r) => setTimeout(r, 0)))
const panel = (): HTMLElement => screen.getByRole('region', { name: 'Sandbox' })
const PEM = '-----BEGIN EC PRIVATE KEY-----\nMHQCAQEEI...\n-----END EC PRIVATE KEY-----'

const saved = (projectId: string | null): CredentialsView => ({
  projectId,
  fingerprint: 'ab:cd:ef:01',
  publicKeyPem:
    '-----BEGIN PUBLIC KEY-----\nMFYwEAYHKoZIzj0CAQYFK4EEAAoDQgAE\n-----END PUBLIC KEY-----'
})

async function renderWith(keys: KeysView, setup?: (host: TestHost) => void) {
  const rendered = renderApp(recordedEntries, runningStatus(), {
    setup: (host) => {
      host.answer('keys:get', () => ok(keys))
      setup?.(host)
    }
  })
  await flush()
  return rendered
}

const basicText: KeysView['protection'] = {
  backend: 'basic_text',
  available: true,
  protected: false,
  reason: 'This Linux session has no keyring: the key would be stored without real protection.'
}

describe('the Sandbox panel', () => {
  it('When the dashboard keeps keys in memory, Then it says so', async () => {
    await renderWith(memoryKeys())
    expect(
      within(panel()).getByText('Kept in memory only: forgotten when the engine stops.')
    ).toBeTruthy()
  })

  it('When only basic_text exists, Then the reason shows and the tick is sent as allowUnprotected; without it the host’s refusal shows by the button', async () => {
    const { host } = await renderWith({ protection: basicText, credentials: null })
    expect(within(panel()).getByText(basicText.reason!)).toBeTruthy()
    const refusal = 'Storing needs your confirmation: tick Store without OS protection.'
    host.answer('keys:generate', (args) =>
      (args as { allowUnprotected?: boolean }).allowUnprotected
        ? ok(saved(null))
        : fail('needs_confirmation', refusal)
    )
    host.answer('environment:get', () =>
      ok({
        environment: 'emulator',
        publicUrl: { mode: 'off' },
        stateDirs: { emulator: '/e', sandbox: null }
      })
    )
    await act(async () =>
      fireEvent.click(within(panel()).getByRole('button', { name: 'Generate key' }))
    )
    const alert = within(panel()).getByRole('alert')
    expect(alert.textContent).toBe(refusal)
    expect(alert.closest('.action')?.querySelector('button')?.textContent).toBe('Generate key')
    fireEvent.click(within(panel()).getByRole('checkbox', { name: 'Store without OS protection' }))
    await act(async () =>
      fireEvent.click(within(panel()).getByRole('button', { name: 'Generate key' }))
    )
    expect(host.calls.filter((c) => c.name === 'keys:generate').map((c) => c.args)).toEqual([
      {},
      { allowUnprotected: true }
    ])
    expect(within(panel()).getByTestId('fingerprint').textContent).toBe('ab:cd:ef:01')
  })

  it('When no protection is available, Then the reason shows and the key controls are disabled', async () => {
    const reason = 'No secret store: start the app in a desktop session.'
    const { host } = await renderWith({
      protection: { backend: 'none', available: false, protected: false, reason },
      credentials: null
    })
    expect(within(panel()).getByRole('alert').textContent).toBe(reason)
    const generate = within(panel()).getByRole('button', { name: 'Generate key' })
    expect(generate.getAttribute('aria-disabled')).toBe('true')
    expect(
      (within(panel()).getByRole('textbox', { name: 'Project id' }) as HTMLInputElement).disabled
    ).toBe(true)
    fireEvent.click(generate)
    expect(host.calls.filter((c) => c.name === 'keys:generate')).toHaveLength(0)
  })

  it('When a key is pasted and saved, Then the project id goes with it, the textarea is cleared, and the key is nowhere in the store', async () => {
    const { host, store } = await renderWith(memoryKeys(), (h) =>
      h.answer('keys:save', () => ok(saved('5656')))
    )
    fireEvent.change(within(panel()).getByRole('textbox', { name: 'Project id' }), {
      target: { value: '5656' }
    })
    fireEvent.click(within(panel()).getByRole('button', { name: 'Paste key' }))
    const area = within(panel()).getByRole('textbox', { name: 'Private key (PEM)' })
    fireEvent.change(area, { target: { value: PEM } })
    await act(async () =>
      fireEvent.click(within(panel()).getByRole('button', { name: 'Save key' }))
    )
    expect(host.calls.find((c) => c.name === 'keys:save')?.args).toEqual({
      projectId: '5656',
      privateKeyPem: PEM
    })
    expect(within(panel()).queryByRole('textbox', { name: 'Private key (PEM)' })).toBeNull()
    fireEvent.click(within(panel()).getByRole('button', { name: 'Paste key' }))
    expect(
      (within(panel()).getByRole('textbox', { name: 'Private key (PEM)' }) as HTMLTextAreaElement)
        .value
    ).toBe('')
    // Everything the store holds but the host API object and the log (which never saw the key).
    const held = Object.entries(store.getState()).filter(([k]) => k !== 'api' && k !== 'journal')
    expect(JSON.stringify(Object.fromEntries(held))).not.toContain('MHQCAQEEI')
    expect(within(panel()).getByTestId('saved-project-id').textContent).toBe('5656')
  })

  it('When the project id is not digits, Then the field says so and nothing is sent', async () => {
    const { host } = await renderWith(memoryKeys())
    fireEvent.change(within(panel()).getByRole('textbox', { name: 'Project id' }), {
      target: { value: '56a' }
    })
    expect(within(panel()).getByRole('alert').textContent).toMatch(/digits only/)
    fireEvent.click(within(panel()).getByRole('button', { name: 'Generate key' }))
    expect(host.calls.filter((c) => c.name === 'keys:generate')).toHaveLength(0)
  })

  it('When a generated key has no project yet, Then it says not given yet, shows the public key with the steps, and Save project id sends the field', async () => {
    const { host } = await renderWith(memoryKeys(saved(null)), (h) =>
      h.answer('keys:set-project', (args) => ok(saved((args as { projectId: string }).projectId)))
    )
    const box = within(panel()).getByTestId('saved-key')
    expect(within(box).getByTestId('saved-project-id').textContent).toBe('not given yet')
    expect(within(box).getByTestId('public-key').textContent).toMatch(/BEGIN PUBLIC KEY/)
    const steps = within(box)
      .getAllByRole('listitem')
      .map((li) => li.textContent)
    expect(steps).toEqual([
      'Open the Stark sandbox web console (https://sandbox.web.starkbank.com) and sign in.',
      'Menu Integrations, create a project (or edit one) and paste this public key.',
      'Copy the project id Stark shows and save it here.',
      'Press Sandbox above, then Test connection.'
    ])
    const writeText = vi.fn(() => Promise.resolve())
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    await act(async () =>
      fireEvent.click(within(box).getByRole('button', { name: 'Copy public key' }))
    )
    expect(writeText).toHaveBeenCalledWith(saved(null).publicKeyPem)
    expect(within(box).getByRole('status').textContent).toBe('Copied')

    fireEvent.change(within(panel()).getByRole('textbox', { name: 'Project id' }), {
      target: { value: ' 777 ' }
    })
    await act(async () =>
      fireEvent.click(within(box).getByRole('button', { name: 'Save project id' }))
    )
    expect(host.calls.find((c) => c.name === 'keys:set-project')?.args).toEqual({
      projectId: '777'
    })
    expect(within(panel()).getByTestId('saved-project-id').textContent).toBe('777')
  })

  it('When Delete key is pressed, Then it asks first (Cancel focused), and deletes only when confirmed', async () => {
    const { host } = await renderWith(memoryKeys(saved('5656')), (h) =>
      h.answer('keys:delete', () => ok({ deleted: true }))
    )
    fireEvent.click(within(panel()).getByRole('button', { name: 'Delete key' }))
    let dialog = screen.getByRole('dialog', { name: 'Delete the saved key?' })
    expect(document.activeElement?.textContent).toBe('Cancel')
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }))
    expect(host.calls.filter((c) => c.name === 'keys:delete')).toHaveLength(0)
    fireEvent.click(within(panel()).getByRole('button', { name: 'Delete key' }))
    dialog = screen.getByRole('dialog', { name: 'Delete the saved key?' })
    await act(async () =>
      fireEvent.click(within(dialog).getByRole('button', { name: 'Yes, delete it' }))
    )
    expect(host.calls.filter((c) => c.name === 'keys:delete')).toHaveLength(1)
    expect(within(panel()).queryByTestId('saved-key')).toBeNull()
  })

  it('When the dashboard loads a key file, Then the page reads it and saves its text', async () => {
    const { host } = await renderWith(memoryKeys(), (h) =>
      h.answer('keys:save', () => ok(saved(null)))
    )
    const input = panel().querySelector<HTMLInputElement>('input[type="file"]')!
    expect(input.accept).toBe('.pem,.key')
    const click = vi.spyOn(input, 'click').mockImplementation(() => undefined)
    fireEvent.click(within(panel()).getByRole('button', { name: 'Load key file…' }))
    expect(click).toHaveBeenCalled()
    const file = new File([PEM], 'key.pem', { type: 'application/x-pem-file' })
    await act(async () => {
      fireEvent.change(input, { target: { files: [file] } })
      await new Promise((r) => setTimeout(r, 20))
    })
    expect(host.calls.find((c) => c.name === 'keys:save')?.args).toEqual({ privateKeyPem: PEM })
    expect(host.calls.filter((c) => c.name === 'keys:load-file')).toHaveLength(0)
  })

  it('When the desktop loads a key file, Then main opens the dialog', async () => {
    const { host, store } = await renderWith(memoryKeys(), (h) =>
      h.answer('keys:load-file', () => ok(saved('1')))
    )
    act(() => store.setState({ info: { name: 'n', version: '1', host: 'desktop' } }))
    expect(panel().querySelector('input[type="file"]')).toBeNull()
    await act(async () =>
      fireEvent.click(within(panel()).getByRole('button', { name: 'Load key file…' }))
    )
    expect(host.calls.find((c) => c.name === 'keys:load-file')?.args).toEqual({})
    expect(within(panel()).getByTestId('saved-project-id').textContent).toBe('1')
  })

  it('When Test connection succeeds, Then it says the balance, Stark’s key and the webhooks', async () => {
    await renderWith(memoryKeys(saved('5656')), (h) =>
      h.answer('connection:test', () =>
        ok({
          ok: true as const,
          balance: 123_456,
          starkKeyFingerprint: 'fe:dc',
          webhooks: [
            { id: '1', url: 'https://a.loca.lt/stark/webhook/…' },
            { id: '2', url: 'https://b.example/hook' }
          ]
        })
      )
    )
    await act(async () =>
      fireEvent.click(within(panel()).getByRole('button', { name: 'Test connection' }))
    )
    const report = within(panel()).getByTestId('connection-report')
    expect(report.getAttribute('role')).toBe('status')
    expect(report.textContent).toMatch(
      /^Connected: balance R\$\s1\.234,56, Stark's key fe:dc, 2 webhooks/
    )
    expect(
      within(report)
        .getAllByRole('listitem')
        .map((li) => li.textContent)
    ).toEqual(['https://a.loca.lt/stark/webhook/…', 'https://b.example/hook'])
  })

  it('When Test connection fails, Then its step and message show, and a transport failure shows by the button', async () => {
    const { host } = await renderWith(memoryKeys(saved('5656')), (h) =>
      h.answer('connection:test', () =>
        ok({
          ok: false as const,
          step: 'balance' as const,
          kind: 'wrong_key',
          message: 'Stark refused this key for project 5656: register its public key there.'
        })
      )
    )
    const button = within(panel()).getByRole('button', { name: 'Test connection' })
    await act(async () => fireEvent.click(button))
    expect(within(panel()).getByTestId('connection-report').textContent).toBe(
      'Failed at the balance: Stark refused this key for project 5656: register its public key there.'
    )
    host.answer('connection:test', () => Promise.reject(new Error('socket closed')))
    await act(async () => fireEvent.click(button))
    expect(within(panel()).queryByTestId('connection-report')).toBeNull()
    expect(within(panel()).getByRole('alert').textContent).toMatch(/socket closed/)
  })

  it('When the panels are drawn, Then every control’s accessible name is its visible label', async () => {
    await renderWith({ protection: basicText, credentials: saved(null) })
    fireEvent.click(within(panel()).getByRole('button', { name: 'Paste key' }))
    for (const button of screen.getAllByRole('button')) {
      const name = button.getAttribute('aria-label') ?? button.textContent?.trim()
      expect(name, button.outerHTML.slice(0, 80)).toBe(button.textContent?.trim())
    }
    for (const name of ['Project id', 'Private key (PEM)'])
      expect(within(panel()).getByRole('textbox', { name })).toBeTruthy()
    expect(screen.getByRole('checkbox', { name: 'Store without OS protection' })).toBeTruthy()
    for (const name of ['Off', 'localtunnel', 'My own URL'])
      expect(screen.getByRole('radio', { name })).toBeTruthy()
  })
})

describe('the Sandbox panel after the key changed', () => {
  it('Given a passed Test connection, When the key is deleted, Then "Connected" no longer shows', async () => {
    await renderWith(memoryKeys(saved('5656')), (h) => {
      h.answer('connection:test', () =>
        ok({ ok: true as const, balance: 100, starkKeyFingerprint: 'fe:dc', webhooks: [] })
      )
      h.answer('keys:delete', () => ok({ deleted: true }))
    })
    await act(async () =>
      fireEvent.click(within(panel()).getByRole('button', { name: 'Test connection' }))
    )
    expect(within(panel()).getByTestId('connection-report').textContent).toMatch(/^Connected/)
    fireEvent.click(within(panel()).getByRole('button', { name: 'Delete key' }))
    const dialog = screen.getByRole('dialog', { name: 'Delete the saved key?' })
    await act(async () =>
      fireEvent.click(within(dialog).getByRole('button', { name: 'Yes, delete it' }))
    )
    await flush()
    expect(within(panel()).queryByTestId('saved-key')).toBeNull()
    // A report about a key that is gone misleads the presenter.
    expect(within(panel()).queryByTestId('connection-report')).toBeNull()
  })

  it('When pasted text is put away with Paste key, Then the page does not keep it', async () => {
    await renderWith(memoryKeys())
    const toggle = within(panel()).getByRole('button', { name: 'Paste key' })
    fireEvent.click(toggle)
    fireEvent.change(within(panel()).getByLabelText('Private key (PEM)'), {
      target: { value: PEM }
    })
    fireEvent.click(toggle)
    fireEvent.click(toggle)
    expect((within(panel()).getByLabelText('Private key (PEM)') as HTMLTextAreaElement).value).toBe(
      ''
    )
  })
})
