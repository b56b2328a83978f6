/**
 * The real sandbox as far as this machine allows, end to end in the browser dashboard: sandbox
 * credentials set up in the page (project id, the key file through the page's file chooser), the
 * switch from the emulator, "Test connection" through the sandbox target's real TLS code against
 * the emulator served as sandbox.api.starkbank.com, and the public webhook URL through a loopback
 * localtunnel service: up, dropped by the service, and back on a new URL. The host is
 * tests/e2e/sandbox-host.ts (the CLI's dashboard composition, plus the test-only TLS trust).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test as base, expect } from '../fixtures'
import { ROOT } from '../env'

interface SandboxHost {
  url: string
  projectId: string
  keyFile: string
  tunnelHost: string
  /** Sends a command (`drop`) and waits for its answer. */
  command(name: string): Promise<void>
  stderr(): string
}

const test = base.extend<{ host: SandboxHost }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixtures a fixture needs from this pattern
  host: async ({}, use, testInfo) => {
    const dir = await mkdtemp(join(tmpdir(), 'ssim-e2e-sandbox-'))
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'tests/e2e/sandbox-host.ts'), dir],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] }
    )
    let stderr = ''
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (chunk: string) => (stderr += chunk))
    const waiting: ((line: Record<string, unknown>) => void)[] = []
    let partial = ''
    child.stdout?.setEncoding('utf8')
    child.stdout?.on('data', (chunk: string) => {
      partial += chunk
      const lines = partial.split('\n')
      partial = lines.pop() ?? ''
      for (const text of lines) if (text.trim()) waiting.shift()?.(JSON.parse(text))
    })
    const next = (): Promise<Record<string, unknown>> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`the sandbox host is silent:\n${stderr}`)),
          30_000
        )
        waiting.push((line) => {
          clearTimeout(timer)
          resolve(line)
        })
      })
    const ready = await next()
    try {
      await use({
        url: String(ready['url']),
        projectId: String(ready['projectId']),
        keyFile: String(ready['keyFile']),
        tunnelHost: String(ready['tunnelHost']),
        async command(name) {
          const answer = next()
          child.stdin?.write(`${name}\n`)
          expect(await answer).toMatchObject({ type: 'ok', command: name })
        },
        stderr: () => stderr
      })
    } finally {
      const exited = new Promise((resolve) => child.once('close', resolve))
      child.kill('SIGINT')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
      if (testInfo.status !== testInfo.expectedStatus)
        await testInfo.attach('sandbox host stderr', { body: stderr, contentType: 'text/plain' })
      await rm(dir, { recursive: true, force: true })
    }
  }
})

test('When sandbox credentials are set up in the page, Then the sandbox runs, its connection tests green, and its tunnel comes up, drops and comes back', async ({
  host,
  page
}) => {
  test.setTimeout(120_000)
  await page.goto(host.url)
  const environment = page.getByRole('group', { name: 'Environment' })
  await expect(environment.getByRole('button', { name: 'Emulator' })).toHaveAttribute(
    'aria-pressed',
    'true'
  )

  // The key file, chosen in the page (the dashboard reads it; the desktop's main opens a dialog).
  await page.getByLabel('Project id').fill(host.projectId)
  const chooser = page.waitForEvent('filechooser')
  await page.getByRole('button', { name: 'Load key file…' }).click()
  await (await chooser).setFiles(host.keyFile)
  await expect(page.getByRole('button', { name: 'Copy public key' })).toBeVisible()
  await expect(page.getByText('Kept in memory only', { exact: false })).toBeVisible()

  // Switching asks first, then stops the emulator and starts the sandbox.
  await environment.getByRole('button', { name: 'Sandbox' }).click()
  const dialog = page.getByRole('dialog')
  await expect(dialog).toContainText('stays in')
  await dialog.getByRole('button', { name: 'Switch to Sandbox' }).click()
  await expect(environment.getByRole('button', { name: 'Sandbox' })).toHaveAttribute(
    'aria-pressed',
    'true'
  )
  await expect(page.getByTestId('runtime-phase')).toHaveText('Running', { timeout: 30_000 })
  await expect(page.getByText(`Sandbox project ${host.projectId}`).first()).toBeVisible()

  await page.getByRole('button', { name: 'Test connection' }).click()
  await expect(page.getByText(/Connected: balance/)).toBeVisible({ timeout: 20_000 })

  // The public webhook URL: a localtunnel tunnel on the test's service.
  await page.getByRole('radio', { name: 'localtunnel' }).check()
  await page.getByLabel('Tunnel host').fill(host.tunnelHost)
  await page.getByRole('button', { name: 'Apply' }).click()
  const confirm = page.getByRole('dialog')
  if (await confirm.isVisible()) await confirm.getByRole('button', { name: /Switch|Apply/ }).click()
  const chip = page.getByTestId('public-url-state')
  await expect(chip).toHaveAttribute('data-state', 'up', { timeout: 30_000 })
  const firstUrl = (await page.getByTestId('public-url').textContent()) ?? ''
  expect(firstUrl).toMatch(/^http:\/\/[a-z0-9-]+\.localhost:\d+/)

  // The service forgets the tunnel: the app notices, reopens it, and Stark's webhook follows.
  await host.command('drop')
  await expect(page.getByTestId('public-url')).not.toHaveText(firstUrl, { timeout: 30_000 })
  await expect(chip).toHaveAttribute('data-state', 'up', { timeout: 30_000 })
  await expect(page.getByText(/registered/i).first()).toBeVisible()
  // The drop is on the record, as the journal says it.
  await page.getByRole('searchbox', { name: 'Filter' }).fill('tunnel')
  const log = page.getByRole('log', { name: 'Live log' })
  // Written while the engine restarted with the tunnel, and after the drop: all in the live log.
  await expect(log.getByText(/tunnel: connecting/).first()).toBeVisible()
  await expect(log.getByText(/tunnel up at/).first()).toBeVisible()
  await expect(log.getByText(/tunnel down/).first()).toBeVisible()

  // `npm run screenshots` keeps this moment for the README: the sandbox, its tunnel up, its log.
  if (process.env['SCREENSHOTS']) {
    await page.getByRole('region', { name: 'Public webhook URL' }).scrollIntoViewIfNeeded()
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme })
      await page.screenshot({
        path: join(ROOT, `docs/screenshots/sandbox-tunnel-1280x800-${scheme}.png`)
      })
    }
    await page.emulateMedia({ colorScheme: 'light' })
  }

  // Nothing of the private key ever reached the page.
  const key = await readFile(host.keyFile, 'utf8')
  const body = key.split('\n').filter((l) => l && !l.startsWith('-----'))
  const html = await page.content()
  // A SEC1 key ends with its public point: its last line is the end of the public key's last line,
  // which the page shows on purpose. Every other line (the private scalar) must be absent.
  const publicPem = (await page.getByTestId('public-key').textContent()) ?? ''
  const secret = body.filter((line) => !publicPem.includes(line))
  expect(secret.length).toBeGreaterThan(0)
  for (const line of secret) expect(html).not.toContain(line)
})

test('When the sandbox cannot start with a key Stark does not know, Then the stage says why with Try again, and the Emulator’s run is back on switching back', async ({
  host,
  page
}) => {
  test.setTimeout(120_000)
  await page.goto(host.url)
  await page.getByRole('button', { name: 'Start run', exact: true }).click()
  await expect(page.getByTestId('batch-progress')).toHaveText(/Batch 1 of 8/, { timeout: 20_000 })

  // A key made here and never registered at Stark, for the test's project.
  await page.getByLabel('Project id').fill(host.projectId)
  await page.getByRole('button', { name: 'Generate key' }).click()
  await expect(page.getByRole('button', { name: 'Copy public key' })).toBeVisible()
  const environment = page.getByRole('group', { name: 'Environment' })
  await environment.getByRole('button', { name: 'Sandbox' }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Switch to Sandbox' }).click()
  await expect(page.getByTestId('runtime-phase')).toHaveText('Failed', { timeout: 30_000 })
  const failure = page.getByTestId('runtime-failure')
  await expect(failure).toBeVisible()
  await expect(failure.getByRole('alert')).not.toBeEmpty()
  await expect(failure.getByRole('button', { name: 'Try again' })).toBeVisible()

  await environment.getByRole('button', { name: 'Emulator' }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Switch to Emulator' }).click()
  await expect(page.getByTestId('runtime-phase')).toHaveText('Running', { timeout: 30_000 })
  await expect(failure).toBeHidden()
  await expect(page.getByTestId('batch-progress')).toHaveText(/Batch \d of 8/)
  // The emulator's journal, replayed into the page from its first entry.
  await expect(page.getByTestId('log-count')).toHaveText(/^[1-9]\d* entries$/)
})
