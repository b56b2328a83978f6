import { defineConfig } from 'vitest/config'

// Set by .ci/run: a JSON report beside the console output, for its closing "N passed" line.
const results = process.env['SSIM_TEST_RESULTS']

export default defineConfig({
  test: {
    environment: 'node',
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    reporters: results
      ? ['default', ['json', { outputFile: `${results}/unit.json` }]]
      : ['default'],
    // Mocks `electron` once for every test file, as electron/fiddle does in tests/setup.ts.
    setupFiles: ['tests/setup.ts'],
    // The CLI's --ui tests serve the built page: built once when out/ is missing (a fresh clone).
    globalSetup: ['tests/e2e/global-setup.ts'],
    // electron-store imports `electron` itself: inlined, it gets the mock too (left external, it
    // would load the real package, which tries to download Electron's binary).
    server: { deps: { inline: ['electron-store'] } },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks'
  }
})
