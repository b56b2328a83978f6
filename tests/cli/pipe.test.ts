/**
 * `npm run -s headless -- --json | head`: the JSON stream starts with the ready line (no npm
 * banner with -s), and when the reader goes away the CLI stops quietly (no EPIPE trace), leaving its
 * folder unlocked and its journal whole.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { exists } from '../../src/main/runtime/state-folder'
import { ROOT } from '../helpers/cli-process'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ssim-cli-pipe-'))
})
afterEach(() => rm(dir, { recursive: true, force: true }))

function shell(command: string): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(https?|all)_proxy$/i.test(name))
  )
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', command], { cwd: ROOT, env: { ...env, NO_COLOR: '1' } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    child.on('close', (code) => resolve({ stdout, stderr, code }))
  })
}

describe('the JSON stream in a pipe', () => {
  it('When `npm run -s headless -- --json` is piped into head, Then head gets the first JSON lines and the CLI ends quietly with its journal whole', async () => {
    const stateDir = join(dir, 'state')
    const result = await shell(
      `set -o pipefail; npm run -s headless -- --json --speed 2000 --state-dir '${stateDir}' | head -n 2; echo "cli exit \${PIPESTATUS[0]}" >&2`
    )
    const lines = result.stdout.trim().split('\n')
    expect(lines, result.stderr).toHaveLength(2)
    const parsed = lines.map((line) => JSON.parse(line) as { type: string })
    expect(parsed[0]!.type).toBe('ready')
    expect(parsed[1]!.type).toBe('run.started')
    // Nothing but our own closing note: no EPIPE, no stack, no npm error lines.
    expect(result.stderr.trim()).toBe('cli exit 141')

    const journal = await readFile(join(stateDir, 'journal.ndjson'), 'utf8')
    expect(journal.endsWith('\n')).toBe(true)
    for (const line of journal.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow()
    expect(await exists(join(stateDir, 'state.lock'))).toBe(false)
  }, 90_000)
})
