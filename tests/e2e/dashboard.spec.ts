/**
 * The first end-to-end test: the real renderer, served by the real engine's dashboard, loads in
 * Chromium, shows the app's name and version, and hears a push from the engine over its socket.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { APP_NAME } from '../../src/shared/app-info'
import { ROOT } from './env'
import { expect, test } from './fixtures'

const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string
}

test('When the dashboard opens, Then it shows the app and the engine’s pushed status', async ({
  dashboard,
  engine
}) => {
  const violations: string[] = []
  dashboard.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text())
  })

  await expect(dashboard.getByRole('heading', { name: APP_NAME })).toBeVisible()
  await expect(dashboard.getByText(`v${version}`)).toBeVisible()
  // Only the socket can have told the page this: the status arrives as a push after ready.
  await expect(dashboard.getByTestId('runtime-phase')).toHaveText('Running')
  // The token left the address bar once the page took it.
  expect(new URL(dashboard.url()).hash).toBe('')
  expect(engine.lines[0]).toMatchObject({ type: 'ready', ui: engine.url })

  // A reload keeps the tab's token and hears the engine again.
  await dashboard.reload()
  await expect(dashboard.getByTestId('runtime-phase')).toHaveText('Running')
  expect(violations).toEqual([])
})

test('When the page is opened without its token, Then it says how to get in and gets nothing', async ({
  engine,
  page
}) => {
  const url = new URL(engine.url)
  await page.goto(`${url.origin}/`)

  await expect(page.getByRole('alert')).toContainText('Open the dashboard URL the engine printed')
  await expect(page.getByTestId('runtime-phase')).toHaveText('Unreachable')
})
