/**
 * `npm run emulator` stops cleanly on SIGTERM sent to npm (a process manager, `kill <pid>`) and on
 * SIGTERM or SIGINT sent to its whole process group (Ctrl-C in a terminal): npm exits, no emulator
 * process is left behind, and the emulator's own stop ran (its last write holds the time at which
 * it stopped). npm hands the signal to the `sh -c` it runs the script in, which dies of SIGTERM
 * without passing it on; the emulator then notices that its shell is gone.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadState } from '../../src/main/emulator/persistence'
import { generateKeyPair } from '../../src/main/stark/keys'
import { ROOT } from '../helpers/cli-process'
import { controlJson } from '../helpers/raw-client'

const linux = process.platform === 'linux'

let dir: string
const started: number[] = []
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ssim-npm-signals-'))
})
afterEach(async () => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  await rm(dir, { recursive: true, force: true })
})

/** Processes whose command line names `needle` (Linux /proc). */
async function processesNaming(needle: string): Promise<number[]> {
  const found: number[] = []
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8')
      if (cmdline.includes(needle)) found.push(Number(name))
    } catch {
      // exited meanwhile
    }
  }
  return found
}

const cases: [NodeJS.Signals, 'npm' | 'group'][] = [
  ['SIGTERM', 'npm'],
  ['SIGTERM', 'group'],
  ['SIGINT', 'group']
]

describe.skipIf(!linux)('npm run emulator and signals (Linux: reads /proc)', () => {
  it.each(cases)(
    'When %s is sent to %s, Then npm exits, no emulator is left and the emulator stopped cleanly',
    async (signal, target) => {
      const stateFile = join(dir, `state-${signal}-${target}.json`)
      const env = Object.fromEntries(
        Object.entries(process.env).filter(([name]) => !/^(https?|all)_proxy$/i.test(name))
      )
      // Its own process group, as a terminal gives a foreground job.
      const npm = spawn(
        'npm',
        ['run', '--silent', 'emulator', '--', '--json', '--port', '0', '--state-file', stateFile],
        { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'ignore'] }
      )
      started.push(npm.pid as number)
      const exited = new Promise<void>((resolve) => npm.on('close', () => resolve()))
      const lines = createInterface({ input: npm.stdout })
      const ready = await new Promise<{ url: string }>((resolve, reject) => {
        lines.once('line', (line) => resolve(JSON.parse(line) as { url: string }))
        setTimeout(() => reject(new Error('no ready line within 30 s')), 30_000)
      })
      await controlJson(ready.url, 'POST', '/_emulator/projects', {
        publicKey: generateKeyPair().publicPem
      })
      await new Promise((resolve) => setTimeout(resolve, 50))
      const clock = (await controlJson(ready.url, 'GET', '/_emulator/clock')).body as {
        nowMs: number
      }

      process.kill(target === 'npm' ? (npm.pid as number) : -(npm.pid as number), signal)
      const done = await Promise.race([
        exited.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 15_000))
      ])
      expect(done, 'npm exited within 15 s').toBe(true)
      // The emulator may still be finishing its stop when npm is gone; it has a moment to exit.
      for (let k = 0; k < 30 && (await processesNaming(stateFile)).length > 0; k++)
        await new Promise((resolve) => setTimeout(resolve, 200))
      expect(await processesNaming(stateFile)).toEqual([])

      const { state } = await loadState(stateFile, () => {
        throw new Error('no state written')
      })
      expect(Object.keys(state.projects)).toHaveLength(1)
      // The stop writes the time it stopped at; the last change before it was earlier.
      expect(state.clockNow).toBeGreaterThanOrEqual(clock.nowMs)
    },
    60_000
  )
})
