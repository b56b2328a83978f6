#!/usr/bin/env node
/**
 * `npm test`: the unit and integration tests (vitest), then the end-to-end tests (Playwright in
 * Debian Chromium). Both always run, so one failing does not hide the other's results; the exit
 * code is non-zero if either failed. With SSIM_TEST_RESULTS=<dir>, each writes a JSON report there
 * (.ci/run counts them). Extra arguments go to vitest.
 */
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import process from 'node:process'

const require = createRequire(import.meta.url)
const bin = (pkg, path) => join(dirname(require.resolve(`${pkg}/package.json`)), path)

function run(name, script, args) {
  process.stdout.write(`\n==> ${name}\n`)
  const { status, signal } = spawnSync(process.execPath, [script, ...args], { stdio: 'inherit' })
  return status ?? (signal ? 1 : 0)
}

const unit = run('unit and integration tests (vitest)', bin('vitest', 'vitest.mjs'), [
  'run',
  ...process.argv.slice(2)
])
const e2e = run('end-to-end tests (Playwright, Chromium)', bin('@playwright/test', 'cli.js'), [
  'test'
])
process.exit(unit !== 0 || e2e !== 0 ? 1 : 0)
