/**
 * The folder lock's edge cases, in-process: a lock left without an owner record (a holder killed
 * between taking the lock and writing the record), an owner record left by an earlier holder, and
 * release.
 */
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { lockFolder } from '../../src/main/runtime/folder-lock'
import { exists } from '../../src/main/runtime/state-folder'
import { codeOf } from './helpers'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ssim-lock-'))
})
afterEach(() => rm(dir, { recursive: true, force: true }))

const options = { realTime: () => Date.now(), onCompromised: () => undefined }

describe('folder lock', () => {
  it('When a lock has no owner record and is still fresh, Then it is refused as held by another process', async () => {
    await mkdir(join(dir, 'state.lock'))
    const refusal = await codeOf(lockFolder(dir, { ...options, staleMs: 60_000, waitMs: 300 }))
    expect(refusal.code).toBe('state_locked')
    expect(refusal.message).toContain('in use by another process')
  })

  it('When a lock without an owner record goes stale (its holder died taking it), Then it is taken', async () => {
    await mkdir(join(dir, 'state.lock'))
    const old = new Date(Date.now() - 5_000)
    await utimes(join(dir, 'state.lock'), old, old)
    const lock = await lockFolder(dir, { ...options, staleMs: 2_000 })
    expect(lock.owner.pid).toBe(process.pid)
    await lock.release()
  })

  it('When an owner record describes an earlier lock (not the current one), Then it is not trusted: a dead pid in it does not let anyone take a live lock', async () => {
    await mkdir(join(dir, 'state.lock'))
    await writeFile(
      join(dir, 'state.lock.owner'),
      JSON.stringify({
        pid: 2 ** 22 + 12345,
        host: hostname(),
        since: '2020-01-01T00:00:00.000Z',
        lockIno: 1,
        lockBirthMs: 1
      })
    )
    const refusal = await codeOf(lockFolder(dir, { ...options, staleMs: 60_000, waitMs: 300 }))
    expect(refusal.code).toBe('state_locked')
    expect(await exists(join(dir, 'state.lock'))).toBe(true)
  })

  it('When released, Then the lock and its record are gone and the folder can be locked again', async () => {
    const lock = await lockFolder(dir, options)
    expect(await exists(join(dir, 'state.lock.owner'))).toBe(true)
    const refusal = await codeOf(lockFolder(dir, { ...options, waitMs: 300 }))
    expect(refusal.message).toContain(`process ${process.pid}`)
    await lock.release()
    await lock.release()
    expect(await exists(join(dir, 'state.lock'))).toBe(false)
    expect(await exists(join(dir, 'state.lock.owner'))).toBe(false)
    await (await lockFolder(dir, options)).release()
  })
})
