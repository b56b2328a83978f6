/**
 * Playwright fixtures: `engine` is a real headless engine (`src/cli/headless.ts --ui`) on the
 * embedded emulator in a fresh state folder, started for the test and stopped after it (SIGINT,
 * bounded); `dashboard` is a Chromium page on its dashboard URL. The engine's output is prefixed
 * and kept for a failing test's report.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test as base, expect, type Page } from '@playwright/test'
import { ROOT, hasChromium } from './env'

export interface Engine {
  /** The dashboard URL with its token, as the engine printed it. */
  url: string
  stateDir: string
  /** Every JSON line the engine printed so far (ready, journal entries, summaries). */
  lines: Record<string, unknown>[]
  /** The engine's stderr so far. */
  stderr: () => string
}

export interface EngineOptions {
  /** Extra CLI flags, e.g. ['--seed', '7']. */
  engineArgs: string[]
  /** Emulator seconds per real second. */
  speed: string
}

const READY_TIMEOUT_MS = 30_000

async function startEngine(
  args: string[],
  stateDir: string
): Promise<{ engine: Engine; child: ChildProcess }> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(https?|all)_proxy$/i.test(name))
  )
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'src/cli/headless.ts'),
      '--ui',
      '--json',
      '--state-dir',
      stateDir,
      ...args
    ],
    { cwd: ROOT, env: { ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] }
  )
  const lines: Record<string, unknown>[] = []
  let stderr = ''
  let partial = ''
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (chunk: string) => (stderr += chunk))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(new Error(`the engine printed no ready line in ${READY_TIMEOUT_MS} ms:\n${stderr}`)),
      READY_TIMEOUT_MS
    )
    child.on('close', (code) => {
      clearTimeout(timer)
      reject(new Error(`the engine exited (${code}) before it was ready:\n${stderr}`))
    })
    child.stdout?.setEncoding('utf8')
    child.stdout?.on('data', (chunk: string) => {
      partial += chunk
      const parts = partial.split('\n')
      partial = parts.pop() ?? ''
      for (const text of parts) {
        if (!text.trim()) continue
        const line = JSON.parse(text) as Record<string, unknown>
        lines.push(line)
        if (line['type'] === 'ready') {
          clearTimeout(timer)
          resolve(String(line['ui']))
        }
      }
    })
  })
  return { engine: { url, stateDir, lines, stderr: () => stderr }, child }
}

async function stopEngine(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()))
  child.kill('SIGINT')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}

export const test = base.extend<EngineOptions & { engine: Engine; dashboard: Page }>({
  engineArgs: [[], { option: true }],
  speed: ['20000', { option: true }],
  engine: async ({ engineArgs, speed }, use, testInfo) => {
    const stateDir = await mkdtemp(join(tmpdir(), 'ssim-e2e-'))
    const { engine, child } = await startEngine(['--speed', speed, ...engineArgs], stateDir)
    try {
      await use(engine)
    } finally {
      await stopEngine(child)
      if (testInfo.status !== testInfo.expectedStatus)
        await testInfo.attach('engine stderr', { body: engine.stderr(), contentType: 'text/plain' })
      await rm(stateDir, { recursive: true, force: true })
    }
  },
  dashboard: async ({ engine, page }, use) => {
    await page.goto(engine.url)
    await use(page)
  }
})

test.beforeEach(({ browserName }, testInfo) => {
  if (browserName === 'chromium')
    testInfo.skip(!hasChromium(), 'Debian Chromium is missing: apt-get install -y chromium')
})

export { expect }
