import { builtinModules } from 'node:module'
import js from '@eslint/js'
import { defineConfig, globalIgnores } from 'eslint/config'
import reactHooks from 'eslint-plugin-react-hooks'
import reactRefresh from 'eslint-plugin-react-refresh'
import tseslint from 'typescript-eslint'

// Only these files may touch Electron; everything else must run in plain Node or the browser.
const ELECTRON_ADAPTERS = ['src/main/index.ts', 'src/main/electron/**', 'src/preload/**']

const noElectron = {
  name: 'electron',
  message: 'Only src/main/index.ts, src/main/electron/ and src/preload may import electron.'
}

export default defineConfig(
  globalIgnores(['out/', 'dist/', 'node_modules/', 'coverage/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: { '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }] }
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    ignores: ELECTRON_ADAPTERS,
    rules: { 'no-restricted-imports': ['error', { paths: [noElectron] }] }
  },
  {
    // shared/ is loaded by main, renderer and CLI: no Electron, Node or React.
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron, 'react', 'react-dom', ...builtinModules],
          patterns: [{ regex: '^node:', message: 'src/shared must stay free of Node APIs.' }]
        }
      ]
    }
  },
  {
    files: ['src/renderer/src/**/*.{ts,tsx}'],
    extends: [reactHooks.configs.flat.recommended, reactRefresh.configs.vite]
  }
)
