import { vi } from 'vitest'

// The one place `electron` is mocked (electron/fiddle's tests/setup.ts pattern). Electron-free
// modules never import it, so this costs their tests nothing.
vi.mock('electron', () => import('./mocks/electron'))

// axios (inside the SDK) honours proxy variables; the emulator is reached directly on loopback.
for (const name of [
  'HTTPS_PROXY',
  'https_proxy',
  'HTTP_PROXY',
  'http_proxy',
  'ALL_PROXY',
  'all_proxy'
]) {
  delete process.env[name]
}
