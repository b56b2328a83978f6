/**
 * Webhook registration against the emulator through the real SDK: one webhook per state folder, the
 * stale ones of this installation deleted (even after its secret was lost), nobody else's touched.
 */
import { randomBytes } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  ensureWebhook,
  ownerTag,
  publicWebhookUrl,
  SUBSCRIPTIONS,
  type WebhookOwner
} from '../../src/main/engine/webhook-registration'
import { loadInstallationId } from '../../src/main/secrets/installation-id'
import { memoryStore } from '../../src/main/secrets/kv-store'
import { sdkClient, type StarkClient } from '../../src/main/stark/client'
import { startSdkEmulator, type SdkEmulator } from '../helpers/sdk-emulator'

const newSecret = (): string => randomBytes(18).toString('base64url')
const local = (secret: string): string => `http://127.0.0.1:45678/stark/webhook/${secret}`

describe('webhook registration', () => {
  let env: SdkEmulator
  let stark: StarkClient
  const appData = memoryStore()
  const owner: WebhookOwner = {
    installationId: loadInstallationId(appData),
    stateDir: '/home/someone/.config/ssim/sandbox-5656565656565656'
  }

  beforeEach(async () => {
    env = await startSdkEmulator()
    stark = sdkClient(env.sdk)
  })
  afterEach(() => env.stop())

  const urls = async (): Promise<string[]> => (await stark.listWebhooks()).map((w) => w.url).sort()

  it('When the installation id is loaded twice, Then it is the same; a damaged one is replaced', () => {
    expect(loadInstallationId(appData)).toBe(owner.installationId)
    expect(owner.installationId).toMatch(/^[a-z0-9]{16}$/)
    const damaged = memoryStore({ installationId: '../../etc' })
    expect(loadInstallationId(damaged)).toMatch(/^[a-z0-9]{16}$/)
  })

  it('When the public URL changes, Then the new one is registered for invoice and transfer and the old one deleted', async () => {
    const secret = newSecret()
    const first = publicWebhookUrl('https://brave-otter-1.loca.lt/', local(secret), owner)
    expect(first).toBe(
      `https://brave-otter-1.loca.lt/stark/webhook/${secret}?ssim-owner=${ownerTag(owner)}`
    )
    expect(await ensureWebhook(stark, first, secret)).toMatchObject({ created: true, removed: 0 })
    expect(await ensureWebhook(stark, first, secret)).toMatchObject({ created: false, removed: 0 })
    const second = publicWebhookUrl('https://quiet-lynx-2.loca.lt', local(secret), owner)
    expect(await ensureWebhook(stark, second, secret)).toMatchObject({ created: true, removed: 1 })
    const hooks = await stark.listWebhooks()
    expect(hooks.map((h) => h.url)).toEqual([second])
    expect([...hooks[0]!.subscriptions].sort()).toEqual([...SUBSCRIPTIONS].sort())
  })

  it('When the state folder lost its secret, Then its old webhook is still recognised and deleted, and only it', async () => {
    const lostSecret = newSecret()
    const old = publicWebhookUrl('https://brave-otter-1.loca.lt', local(lostSecret), owner)
    await ensureWebhook(stark, old, lostSecret)
    // Others on the same workspace: another app, another installation, another state folder of
    // this installation, and an untagged webhook of an older version of this app.
    const foreign = [
      'https://shop.example.com/stark/hooks',
      publicWebhookUrl('https://calm-heron-3.loca.lt', local(newSecret()), {
        installationId: 'zzzzzzzzzzzzzzzz',
        stateDir: owner.stateDir
      }),
      publicWebhookUrl('https://tidy-yak-4.loca.lt', local(newSecret()), {
        ...owner,
        stateDir: '/home/someone/.config/ssim/other-folder'
      }),
      `https://green-wren-5.loca.lt/stark/webhook/${newSecret()}`
    ]
    for (const url of foreign) await stark.createWebhook(url, SUBSCRIPTIONS)

    const secret = newSecret() // installation.json was lost: a fresh secret
    const now = publicWebhookUrl('https://swift-panda-6.loca.lt', local(secret), owner)
    const result = await ensureWebhook(stark, now, secret)
    expect(result).toMatchObject({ created: true, removed: 1 })
    expect(await urls()).toEqual([...foreign, now].sort())
  })

  it('When an untagged URL is registered (the facade’s own call), Then the secret still identifies ours', async () => {
    const secret = newSecret()
    await ensureWebhook(stark, local(secret).replace('45678', '1111'), secret)
    await stark.createWebhook('https://shop.example.com/hook', SUBSCRIPTIONS)
    const result = await ensureWebhook(stark, local(secret), secret)
    expect(result).toMatchObject({ created: true, removed: 1 })
    expect(await urls()).toEqual(['https://shop.example.com/hook', local(secret)].sort())
  })
})
