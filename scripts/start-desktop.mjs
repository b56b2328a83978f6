#!/usr/bin/env node
/**
 * `npm start` / `npm run dev`: makes sure Electron's binary is there, then runs electron-vite.
 *
 * Why: electron 45 has no postinstall step, and electron-vite reads node_modules/electron/path.txt,
 * which exists only once the binary was downloaded, so a fresh `npm install && npm start` would die
 * with "Electron uninstall". The binary is fetched here once, with electron's own installer, and a
 * failure says what failed, how to retry, and what runs without it.
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import process from 'node:process'

const require = createRequire(import.meta.url)
const mode = process.argv[2] === 'dev' ? 'dev' : 'preview'
const electronDir = dirname(require.resolve('electron/package.json'))
const { version } = require('electron/package.json')

function installed() {
  try {
    const binary = readFileSync(join(electronDir, 'path.txt'), 'utf8')
    return existsSync(join(electronDir, 'dist', binary))
  } catch {
    return false
  }
}

/** Runs a Node script; resolves with its exit code and what it wrote to stderr. */
function run(script, args, { quiet = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], {
      stdio: ['inherit', 'inherit', quiet ? 'pipe' : 'inherit']
    })
    let stderr = ''
    child.stderr?.on('data', (chunk) => (stderr += chunk))
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), stderr }))
  })
}

/** The one line of the installer's error that says what went wrong (not its stack). */
function reason(stderr) {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
  const cause = lines.find((l) => /^\[cause\]|cause:|E[A-Z]{3,}|ENOTFOUND|ECONN|EAI_AGAIN/.test(l))
  const first = lines.find((l) => !l.startsWith('at ')) ?? 'unknown error'
  return cause && cause !== first ? `${first} (${cause.replace(/^\[cause\]:?\s*/, '')})` : first
}

const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `Note: the desktop app needs Node 22.12 or newer (Electron ${version} and its downloader ` +
      `declare it); this is Node ${process.versions.node}. If the download below fails, update Node. ` +
      `The headless engine and the browser dashboard run on Node 20.19+.\n`
  )
}

if (!installed()) {
  process.stdout.write(`Fetching Electron ${version}'s binary (once; it is cached afterwards)...\n`)
  const { code, stderr } = await run(join(electronDir, 'install.js'), [], { quiet: true })
  if (code !== 0 || !installed()) {
    process.stderr.write(
      [
        '',
        `Could not download Electron's binary (electron ${version} for ${process.platform}-${process.arch}):`,
        `  ${reason(stderr)}`,
        '',
        'The desktop app needs it once. To retry:',
        '  - check the internet connection (and HTTPS_PROXY if you use a proxy), then run `npm start` again;',
        '  - or fetch it by hand with `npx install-electron`, then `npm start`;',
        '  - behind a mirror: `ELECTRON_MIRROR=https://<mirror>/electron/ npm start`.',
        '',
        'Without the binary, the same engine runs headless:',
        '  npm run headless                  # in the terminal',
        '  npm run build && npm run headless -- --ui   # with the browser dashboard',
        ''
      ].join('\n')
    )
    process.exit(1)
  }
}

const electronVite = join(
  dirname(require.resolve('electron-vite/package.json')),
  'bin',
  'electron-vite.js'
)
const { code } = await run(electronVite, [mode, ...process.argv.slice(3)])
process.exit(code)
