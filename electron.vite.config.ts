import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'

export default defineConfig({
  main: {
    // Runtime deps (starkbank, zod, faker) stay external: electron-builder ships node_modules.
    // electron-store and conf are ESM-only: bundled into the CommonJS main rather than left to
    // require(esm), whose support depends on Electron's Node version.
    build: {
      externalizeDeps: { exclude: ['electron-store', 'conf'] },
      rolldownOptions: { input: { index: resolve(__dirname, 'src/main/index.ts') } }
    }
  },
  preload: {
    build: {
      // A sandboxed preload can only require('electron') and a few built-ins, so everything
      // it needs is bundled into one CommonJS file with no chunks.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', codeSplitting: false }
      }
    }
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: {
      rolldownOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } }
    },
    plugins: [react()]
  }
})
