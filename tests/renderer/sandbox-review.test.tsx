// @vitest-environment happy-dom
/**
 * Review of issue 9 (renderer): what the Sandbox panel still shows or keeps after the key changed.
 */
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { ok } from '../../src/shared/contract'
import type { CredentialsView, KeysView } from '../../src/shared/environment'
import { memoryKeys, renderApp } from './helpers/render-app'
import { recordedEntries } from './helpers/recorded'
import { runningStatus } from './helpers/status'
import type { TestHost } from './helpers/test-host'

afterEach(() => cleanup())

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
      host.answer('environment:get', () =>
        ok({
          environment: 'emulator',
          publicUrl: { mode: 'off' },
          stateDirs: { emulator: '/e', sandbox: null }
        })
      )
      setup?.(host)
    }
  })
  await flush()
  return rendered
}

describe('the Sandbox panel after the key changed (review)', () => {
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
