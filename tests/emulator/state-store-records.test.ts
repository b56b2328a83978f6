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

/** Opens a store on a new folder (closed and removed after the test). */
async function openStore(prefix: string): Promise<{ file: string; opened: StateStore }> {
  dir = await mkdtemp(join(tmpdir(), prefix))
  const file = join(dir, 'emulator-state.json')
  const opened = await StateStore.open({ file, fresh })
  store = opened
  return { file, opened }
}

/** The ids of the webhooks a fresh load of the file finds. */
const webhooksOnDisk = async (file: string): Promise<string[]> =>
  Object.keys((await loadState(file, fresh)).state.webhooks).sort()

/** Adds webhook `id` to the open store's state and marks it changed. */
function addWebhook(id: string, lazy = false): void {
  const open = store as StateStore
  open.state.webhooks[id] = webhook(id)
  open.mark('webhooks', id, lazy)
}

/** Settles the microtasks queued so far: a promise already resolved has run its callbacks. */
const microtasks = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve()
}

describe('saving named records', () => {
  it('When a record is marked, Then saveRecords resolves once it is on disk; when it already is, at once, although another change is pending', async () => {
    // Arrange
    const { file, opened } = await openStore('ssim-records-')
    addWebhook('a')

    // Act
    await opened.saveRecords([['webhooks', 'a']])
    const afterFirst = (await loadState(file, fresh)).state.webhooks
    addWebhook('b')
    let aSaved = false
    let bSaved = false
    void opened.saveRecords([['webhooks', 'a']]).then(() => (aSaved = true))
    const b = opened.saveRecords([['webhooks', 'b']]).then(() => (bSaved = true))
    await microtasks()
    const early = { aSaved, bSaved }
    await b

    // Assert
    expect(Object.keys(afterFirst)).toEqual(['a'])
    expect(early).toEqual({ aSaved: true, bSaved: false })
    expect(await webhooksOnDisk(file)).toEqual(['a', 'b'])
  })
})

describe('lazy changes', () => {
  it('When a change is lazy, Then it starts no commit of its own: it is written with the next change, and save() waits for it', async () => {
    // Arrange
    const { file, opened } = await openStore('ssim-lazy-')
    const commitsBefore = opened.stats().commits

    // Act: a lazy change, turns for a commit to start if it were going to, then an urgent one
    addWebhook('a', true)
    for (let i = 0; i < 3; i++) await nextTurn()
    addWebhook('b')
    await opened.saveRecords([['webhooks', 'b']])
    const together = opened.stats().commits - commitsBefore
    const onDisk = await webhooksOnDisk(file)
    addWebhook('c', true)
    await opened.save()
    const afterSave = await webhooksOnDisk(file)

    // Assert
    expect(together).toBe(1)
    expect(onDisk).toEqual(['a', 'b'])
    expect(afterSave).toEqual(['a', 'b', 'c'])
  })

  it('When only lazy changes are pending, Then saveEager() (what an answer waits for) starts no commit, while save() writes them', async () => {
    // Arrange: an urgent change on disk, then a lazy one
    const { file, opened } = await openStore('ssim-lazy-')
    addWebhook('a')
    await opened.saveEager()
    addWebhook('b', true)
    const commitsBefore = opened.stats().commits

    // Act
    await opened.saveEager()
    const eagerCommits = opened.stats().commits - commitsBefore
    const afterEager = await webhooksOnDisk(file)
    await opened.save()
    const afterSave = await webhooksOnDisk(file)

    // Assert
    expect(eagerCommits).toBe(0)
    expect(afterEager).toEqual(['a'])
    expect(afterSave).toEqual(['a', 'b'])
  })

  it('When the store closes with a lazy change pending, Then the change is on disk', async () => {
    const { file, opened } = await openStore('ssim-lazy-')
    addWebhook('a', true)

    await opened.close()
    store = undefined

    expect(Object.keys((await loadState(file, fresh)).state.webhooks)).toEqual(['a'])
  })
})
