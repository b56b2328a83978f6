// @vitest-environment happy-dom
/**
 * The Public webhook URL panel (issue 9): the choice, applied by restarting the engine (asked first
 * while a run is going), and the live state from the status: connecting, up with its URL and last
 * check, down with the reason and a countdown on wall time, the webhook's registration, refusals.
 */
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ok, type PublicUrlStatus, type RuntimeStatus } from '../../src/shared/contract'
import type { EnvironmentChoice } from '../../src/shared/environment'
import { emulatorView, renderApp } from './helpers/render-app'
import { recordedEntries } from './helpers/recorded'
import { runningStatus } from './helpers/status'

const flush = (): Promise<void> => act(() => new Promise<void>((r) => setTimeout(r, 0)))
const panel = (): HTMLElement => screen.getByRole('region', { name: 'Public webhook URL' })
const chip = (): HTMLElement => within(panel()).getByTestId('public-url-state')

const T0 = 1_800_000_000_000

const tunnel = (overrides: Partial<PublicUrlStatus>): RuntimeStatus =>
  runningStatus({
    webhook: { listening: true, url: null, rejected: 3 },
    publicUrl: {
      mode: 'localtunnel',
      host: 'https://localtunnel.me',
      state: 'connecting',
      url: null,
      lastCheckAt: null,
      reason: null,
      nextTryAt: null,
      notice: null,
      webhook: null,
      ...overrides
    }
  })

afterEach(cleanup)

describe('the Public webhook URL panel: live state', () => {
  let wall = T0
  beforeEach(() => {
    wall = T0
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] })
  })
  afterEach(() => vi.useRealTimers())

  const render = (status: RuntimeStatus) =>
    renderApp(recordedEntries, status, { wallNow: () => wall })

  it('When the URL is off, Then it says how webhooks reach this computer without one', () => {
    render(runningStatus({ webhook: { listening: true, url: null, rejected: 0 } }))
    expect(within(panel()).getByTestId('public-url-off').textContent).toBe(
      "Stark's webhooks reach this computer only from the emulator; the sandbox is caught up by polling."
    )
    expect(within(panel()).getByTestId('refused-count').textContent).toBe('Refused deliveries: 0')
  })

  it('When the tunnel connects, Then the chip reads Connecting in a polite live line', () => {
    render(tunnel({ state: 'connecting' }))
    expect(chip().textContent).toBe('Connecting')
    expect(chip().dataset.state).toBe('connecting')
    expect(chip().closest('[aria-live]')?.getAttribute('aria-live')).toBe('polite')
    expect(within(panel()).getByTestId('refused-count').textContent).toBe('Refused deliveries: 3')
  })

  it('When it is up, Then the URL, the last check in seconds (counting on), and the webhook registration show', () => {
    render(
      tunnel({
        state: 'up',
        url: 'https://quiet-owl-12.loca.lt',
        lastCheckAt: T0 - 4_000,
        webhook: {
          state: 'registered',
          url: 'https://quiet-owl-12.loca.lt/stark/webhook/…',
          reason: null
        }
      })
    )
    expect(chip().textContent).toBe('Up')
    expect(within(panel()).getByTestId('public-url').textContent).toBe(
      'https://quiet-owl-12.loca.lt'
    )
    expect(within(panel()).getByTestId('last-check').textContent).toBe('last check 4 s ago')
    act(() => {
      wall += 3_000
      vi.advanceTimersByTime(3_000)
    })
    expect(within(panel()).getByTestId('last-check').textContent).toBe('last check 7 s ago')
    expect(within(panel()).getByTestId('webhook-registration').textContent).toMatch(
      /^Webhook at Stark: registered · https:\/\/quiet-owl-12/
    )
  })

  it('When it is down, Then the reason and a countdown to the next try show, and the countdown stops at 0', () => {
    render(
      tunnel({
        state: 'down',
        url: 'https://quiet-owl-12.loca.lt',
        reason: 'The tunnel server answered 503: it is overloaded. Retrying.',
        nextTryAt: T0 + 12_000,
        notice: 'The server gave another subdomain than the one asked for.',
        webhook: { state: 'failed', url: null, reason: 'Stark refused the URL.' }
      })
    )
    expect(chip().textContent).toBe('Down')
    expect(within(panel()).queryByTestId('public-url')).toBeNull()
    expect(within(panel()).getByTestId('public-url-last').textContent).toBe(
      'was https://quiet-owl-12.loca.lt'
    )
    expect(within(panel()).getByTestId('down-reason').textContent).toMatch(/503/)
    expect(within(panel()).getByTestId('next-try').textContent).toBe('next try in 12 s')
    act(() => {
      wall += 5_000
      vi.advanceTimersByTime(5_000)
    })
    expect(within(panel()).getByTestId('next-try').textContent).toBe('next try in 7 s')
    act(() => {
      wall += 60_000
      vi.advanceTimersByTime(60_000)
    })
    expect(within(panel()).getByTestId('next-try').textContent).toBe('next try in 0 s')
    expect(within(panel()).getByTestId('public-url-notice').textContent).toMatch(
      /another subdomain/
    )
    expect(within(panel()).getByTestId('webhook-registration').textContent).toBe(
      'Webhook at Stark: failed: Stark refused the URL.'
    )
  })

  it('When a public URL is configured, Then the header shows its state too, where the audience looks; when off, nothing', () => {
    render(tunnel({ state: 'down', reason: 'the service answered 503' }))
    expect(screen.getByTestId('header-public-url').textContent).toBe('Down')
    cleanup()
    render(runningStatus({ webhook: { listening: true, url: null, rejected: 0 } }))
    expect(screen.queryByTestId('header-public-url')).toBeNull()
  })

  it('When the status changes state, Then the chip follows it', () => {
    const { store } = render(tunnel({ state: 'up', url: 'https://a.loca.lt', lastCheckAt: T0 }))
    act(() => store.setState({ status: tunnel({ state: 'stopped' }) }))
    expect(chip().textContent).toBe('Stopped')
    expect(chip().dataset.state).toBe('stopped')
  })
})

describe('the Public webhook URL panel: the choice', () => {
  const switches = (calls: { name: string; args: unknown }[]): EnvironmentChoice[] =>
    calls.filter((c) => c.name === 'environment:switch').map((c) => c.args as EnvironmentChoice)

  it('When localtunnel is chosen with a host and applied, Then the engine restarts in the same environment with it', async () => {
    const { host } = renderApp(null, runningStatus(), {
      setup: (h) =>
        h.answer('environment:switch', (args) =>
          ok(emulatorView({ publicUrl: (args as EnvironmentChoice).publicUrl! }))
        )
    })
    await flush()
    fireEvent.click(within(panel()).getByRole('radio', { name: 'localtunnel' }))
    const field = within(panel()).getByRole('textbox', { name: 'Tunnel host' })
    expect(field.getAttribute('placeholder')).toBe('https://localtunnel.me')
    fireEvent.change(field, { target: { value: 'http://127.0.0.1:4100' } })
    await act(async () => fireEvent.click(within(panel()).getByRole('button', { name: 'Apply' })))
    expect(switches(host.calls)).toEqual([
      { environment: 'emulator', publicUrl: { mode: 'localtunnel', host: 'http://127.0.0.1:4100' } }
    ])
    expect(screen.queryByRole('dialog')).toBeNull()
    // The form now starts from the host's answer.
    expect(
      (within(panel()).getByRole('radio', { name: 'localtunnel' }) as HTMLInputElement).checked
    ).toBe(true)
  })

  it('When my own URL is not a URL, Then the field says so and nothing is sent', async () => {
    const { host } = renderApp(null)
    await flush()
    fireEvent.click(within(panel()).getByRole('radio', { name: 'My own URL' }))
    fireEvent.change(within(panel()).getByRole('textbox', { name: 'Public URL' }), {
      target: { value: 'http://my-laptop.example' }
    })
    await act(async () => fireEvent.click(within(panel()).getByRole('button', { name: 'Apply' })))
    expect(within(panel()).getByRole('alert').textContent).toMatch(/starting with https:\/\//)
    expect(switches(host.calls)).toEqual([])
  })

  it('When a run is going, Then Apply asks first, and only the confirmation restarts', async () => {
    const { host } = renderApp(recordedEntries.slice(0, 10), runningStatus(), {
      setup: (h) => h.answer('environment:switch', () => ok(emulatorView()))
    })
    await flush()
    fireEvent.click(within(panel()).getByRole('radio', { name: 'My own URL' }))
    fireEvent.change(within(panel()).getByRole('textbox', { name: 'Public URL' }), {
      target: { value: 'https://me.ngrok.app' }
    })
    await act(async () => fireEvent.click(within(panel()).getByRole('button', { name: 'Apply' })))
    const dialog = screen.getByRole('dialog', { name: 'Restart the engine with this public URL?' })
    fireEvent.keyDown(dialog, { key: 'Escape' })
    expect(switches(host.calls)).toEqual([])
    await act(async () => fireEvent.click(within(panel()).getByRole('button', { name: 'Apply' })))
    await act(async () =>
      fireEvent.click(screen.getByRole('button', { name: 'Apply and restart' }))
    )
    expect(switches(host.calls)).toEqual([
      { environment: 'emulator', publicUrl: { mode: 'public-url', url: 'https://me.ngrok.app' } }
    ])
  })
})
