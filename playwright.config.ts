/**
 * End-to-end tests: the real renderer, served by the real headless engine's browser dashboard
 * (`npm run headless -- --ui`, embedded emulator, high speed), in Debian's Chromium. Each test gets
 * its own engine and state folder (tests/e2e/fixtures.ts). Never `npx playwright install`: there is
 * no route to its download host; /usr/bin/chromium comes from `apt-get install chromium`.
 *
 * A second project runs the desktop app itself through Playwright's `_electron` on machines that
 * have Electron's binary; here it skips with one line.
 */
import { defineConfig } from '@playwright/test'
import { CHROMIUM } from './tests/e2e/env'

const results = process.env['SSIM_TEST_RESULTS']

export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './tests/e2e/global-setup.ts',
  // Two cores shared with other work: one engine and one browser at a time.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env['CI'],
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  outputDir: 'test-results/e2e',
  reporter: results ? [['list'], ['json', { outputFile: `${results}/e2e.json` }]] : [['list']],
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure'
  },
  projects: [
    {
      name: 'dashboard',
      testIgnore: '**/electron-*.spec.ts',
      use: {
        browserName: 'chromium',
        viewport: { width: 1280, height: 800 },
        launchOptions: {
          executablePath: CHROMIUM,
          args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run'
          ]
        }
      }
    },
    { name: 'electron', testMatch: '**/electron-*.spec.ts' }
  ]
})
