import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    environment: 'node',
    include: ['tests/**/*.test.ts'],
    // Mocks `electron` once for every test file, as electron/fiddle does in tests/setup.ts.
    setupFiles: ['tests/setup.ts'],
    // electron-store imports `electron` itself: inlined, it gets the mock too (left external, it
    // would load the real package, which tries to download Electron's binary).
    server: { deps: { inline: ['electron-store'] } },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks'
  }
})
