/**
 * Each test gets its own real engine: `npm run headless -- --ui --json` on the embedded emulator,
 * in a fresh state folder, and a Chromium page on its dashboard. The process's JSON lines (ready,
 * journal entries, the summary after a run) are collected so tests can compare the window with
 * what the CLI says.
 */
import { test as base, expect, type Page } from '@playwright/test'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const ROOT = resolve(__dirname, '../../..')

export interface Engine {
  url: string
  lines: Record<string, unknown>[]
  /** Resolves with the first line (already printed or still to come) that `match` accepts. */
  waitForLine(
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number
  ): Promise<Record<string, unknown>>
  stop(): Promise<void>
}

export async function startEngine(options: {
  speed: string
  engineArgs: string[]
}): Promise<Engine> {
  const stateDir = mkdtempSync(join(tmpdir(), 'ssim-e2e-'))
  const args = ['src/cli/headless.ts', '--ui', '--json', '--state-dir', stateDir]
  args.push('--speed', options.speed, ...options.engineArgs)
  const child: ChildProcess = spawn(join(ROOT, 'node_modules/.bin/tsx'), args, {
    cwd: ROOT,
    env: { ...process.env, HTTPS_PROXY: '', HTTP_PROXY: '', https_proxy: '', http_proxy: '' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const lines: Record<string, unknown>[] = []
  const waiters = new Set<() => void>()
  let stderr = ''
  let buffered = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk
    let nl: number
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl)
      buffered = buffered.slice(nl + 1)
      if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>)
    }
    waiters.forEach((w) => w())
  })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))

  const waitForLine: Engine['waitForLine'] = (match, timeoutMs = 30_000) =>
    new Promise((resolveLine, reject) => {
      const check = (): void => {
        const found = lines.find(match)
        if (found) {
          waiters.delete(check)
          clearTimeout(timer)
          resolveLine(found)
        }
      }
      const timer = setTimeout(() => {
        waiters.delete(check)
        reject(
          new Error(
            `no matching line from the engine in ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`
          )
        )
      }, timeoutMs)
      waiters.add(check)
      void exited.then((code) => {
        if (waiters.has(check))
          reject(new Error(`the engine exited (${code}): ${stderr.slice(-2000)}`))
      })
      check()
    })

  const ready = await waitForLine((l) => l.type === 'ready', 60_000)
  return {
    url: String(ready.ui),
    lines,
    waitForLine,
    async stop() {
      child.kill('SIGTERM')
      const code = await Promise.race([
        exited,
        new Promise((r) => setTimeout(() => r('timeout'), 10_000))
      ])
      if (code === 'timeout') child.kill('SIGKILL')
      rmSync(stateDir, { recursive: true, force: true })
    }
  }
}

/** Opens the dashboard and waits until the window has its first picture from the engine. */
export async function openApp(page: Page, engine: Engine): Promise<void> {
  await page.goto(engine.url)
  await expect(page.locator('[data-app-state="loaded"]')).toBeVisible()
  await expect(page.getByTestId('runtime-phase')).toHaveText('Running')
}

export const test = base.extend<{ speed: string; engineArgs: string[]; engine: Engine; app: Page }>(
  {
    speed: ['1440', { option: true }],
    engineArgs: [[], { option: true }],
    engine: async ({ speed, engineArgs }, use) => {
      const engine = await startEngine({ speed, engineArgs })
      await use(engine)
      await engine.stop()
    },
    app: async ({ page, engine }, use) => {
      await openApp(page, engine)
      await use(page)
    }
  }
)

export { expect }

/** The first line the engine printed (or prints within the timeout) that `match` accepts. */
export const waitForLine = (
  engine: Engine,
  match: (line: Record<string, unknown>) => boolean,
  timeoutMs?: number
): Promise<Record<string, unknown>> => engine.waitForLine(match, timeoutMs)

/** Cents shown by a totals tile (`data-cents`, the number behind the pt-BR text). */
export async function tileCents(page: Page, key: string): Promise<number> {
  return Number(
    await page.getByTestId(`total-${key}`).locator('.tile-value').getAttribute('data-cents')
  )
}

/** The count line of a totals tile, as a number ("60 transfers" -> 60). */
export async function tileCount(page: Page, key: string): Promise<number> {
  return parseInt(
    (await page.getByTestId(`total-${key}`).locator('.tile-count').textContent()) ?? '',
    10
  )
}

/** Fills the plan form with a short plan (minutes of Stark time) and presses Start run. */
export async function startShortRun(
  page: Page,
  plan: { batches?: number; every?: number; fewest?: number; most?: number; settle?: number } = {}
): Promise<void> {
  await page.getByRole('textbox', { name: 'Batches' }).fill(String(plan.batches ?? 2))
  await page.getByRole('textbox', { name: 'Every' }).fill(String(plan.every ?? 60))
  await page.getByRole('textbox', { name: 'Fewest invoices' }).fill(String(plan.fewest ?? 2))
  await page.getByRole('textbox', { name: 'Most invoices' }).fill(String(plan.most ?? 3))
  await page
    .getByRole('textbox', { name: 'Settle after last batch' })
    .fill(String(plan.settle ?? 60))
  await page.getByRole('button', { name: 'Start run', exact: true }).click()
  await expect(page.getByTestId('run-state')).toBeVisible()
}
