/**
 * `saveRecords`: what a webhook post waits for. It resolves once the named records, as they are now,
 * are on disk, and at once when they already are, whatever else is still to be written. Lazy
 * changes (a delivery recorded as accepted) start no commit of their own but ride with the next.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { newState } from '../../src/main/emulator/core'
import { loadState } from '../../src/main/emulator/persistence'
import { StateStore } from '../../src/main/emulator/state-store'
import type { WebhookRecord } from '../../src/main/emulator/types'

let dir: string | undefined
let store: StateStore | undefined
afterEach(async () => {
  await store?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
  store = dir = undefined
})

const fresh = (): ReturnType<typeof newState> => newState(Date.UTC(2026, 0, 5), 1)
const webhook = (id: string): WebhookRecord => ({
  id,
  url: `http://127.0.0.1/${id}`,
  subscriptions: [],
  created: '2026-01-05T00:00:00.000000+00:00'
})

/** Settles the microtasks queued so far: a promise already resolved has run its callbacks. */
const microtasks = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve()
}

describe('saving named records', () => {
  it('When a record is marked, Then saveRecords resolves once it is on disk; when it already is, at once, although another change is pending', async () => {
    // Arrange
    dir = await mkdtemp(join(tmpdir(), 'ssim-records-'))
    const file = join(dir, 'emulator-state.json')
    store = await StateStore.open({ file, fresh })
    store.state.webhooks.a = webhook('a')
    store.mark('webhooks', 'a')

    // Act
    await store.saveRecords([['webhooks', 'a']])
    const afterFirst = (await loadState(file, fresh)).state.webhooks
    store.state.webhooks.b = webhook('b')
    store.mark('webhooks', 'b')
    let aSaved = false
    let bSaved = false
    void store.saveRecords([['webhooks', 'a']]).then(() => (aSaved = true))
    const b = store.saveRecords([['webhooks', 'b']]).then(() => (bSaved = true))
    await microtasks()
    const early = { aSaved, bSaved }
    await b

    // Assert
    expect(Object.keys(afterFirst)).toEqual(['a'])
    expect(early).toEqual({ aSaved: true, bSaved: false })
    expect(Object.keys((await loadState(file, fresh)).state.webhooks).sort()).toEqual(['a', 'b'])
  })
})

describe('lazy changes', () => {
  it('When a change is lazy, Then it starts no commit of its own: it is written with the next change, and save() waits for it', async () => {
    // Arrange
    dir = await mkdtemp(join(tmpdir(), 'ssim-lazy-'))
    const file = join(dir, 'emulator-state.json')
    store = await StateStore.open({ file, fresh })
    const commitsBefore = store.stats().commits

    // Act: a lazy change, turns for a commit to start if it were going to, then an urgent one
    store.state.webhooks.a = webhook('a')
    store.mark('webhooks', 'a', true)
    for (let i = 0; i < 3; i++) await nextTurn()
    store.state.webhooks.b = webhook('b')
    store.mark('webhooks', 'b')
    await store.saveRecords([['webhooks', 'b']])
    const together = store.stats().commits - commitsBefore
    const onDisk = Object.keys((await loadState(file, fresh)).state.webhooks).sort()
    store.state.webhooks.c = webhook('c')
    store.mark('webhooks', 'c', true)
    await store.save()
    const afterSave = Object.keys((await loadState(file, fresh)).state.webhooks).sort()

    // Assert
    expect(together).toBe(1)
    expect(onDisk).toEqual(['a', 'b'])
    expect(afterSave).toEqual(['a', 'b', 'c'])
  })

  it('When only lazy changes are pending, Then saveEager() (what an answer waits for) starts no commit, while save() writes them', async () => {
    // Arrange: an urgent change on disk, then a lazy one
    dir = await mkdtemp(join(tmpdir(), 'ssim-lazy-'))
    const file = join(dir, 'emulator-state.json')
    store = await StateStore.open({ file, fresh })
    store.state.webhooks.a = webhook('a')
    store.mark('webhooks', 'a')
    await store.saveEager()
    store.state.webhooks.b = webhook('b')
    store.mark('webhooks', 'b', true)
    const commitsBefore = store.stats().commits

    // Act
    await store.saveEager()
    const eagerCommits = store.stats().commits - commitsBefore
    const afterEager = Object.keys((await loadState(file, fresh)).state.webhooks).sort()
    await store.save()
    const afterSave = Object.keys((await loadState(file, fresh)).state.webhooks).sort()

    // Assert
    expect(eagerCommits).toBe(0)
    expect(afterEager).toEqual(['a'])
    expect(afterSave).toEqual(['a', 'b'])
  })

  it('When the store closes with a lazy change pending, Then the change is on disk', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ssim-lazy-'))
    const file = join(dir, 'emulator-state.json')
    store = await StateStore.open({ file, fresh })
    store.state.webhooks.a = webhook('a')
    store.mark('webhooks', 'a', true)

    await store.close()
    store = undefined

    expect(Object.keys((await loadState(file, fresh)).state.webhooks)).toEqual(['a'])
  })
})
