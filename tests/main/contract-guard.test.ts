// @vitest-environment node
/**
 * The contract guard: the preload's object, the contract's map, the handler table and the
 * channels main registers must name exactly the same operations, each at the method path the
 * contract derives (`run:one-invoice` -> `api.run.oneInvoice`). Adding an operation to one of them
 * and not the others fails here.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { createDispatch } from '../../src/main/app/dispatch'
import { createHandlers } from '../../src/main/app/handlers'
import { PushHub } from '../../src/main/app/push-hub'
import { registerContractIpc } from '../../src/main/electron/ipc'
import {
  HOST_EVENT_NAMES,
  OPERATION_NAMES,
  methodPath,
  operations
} from '../../src/shared/contract'
import { memoryHostDeps } from '../helpers/host-deps'
import { contextBridge, ipcMain, ipcRenderer, resetElectronMock } from '../mocks/electron'

type Exposed = Record<string, unknown>

/** Calls every function of the exposed object and records the channel each one invokes. */
async function channelsOf(api: Exposed): Promise<Map<string, string>> {
  const byPath = new Map<string, string>()
  for (const [domain, group] of Object.entries(api)) {
    if (typeof group !== 'object' || group === null) continue
    for (const [verb, fn] of Object.entries(group as Exposed)) {
      expect(typeof fn, `${domain}.${verb}`).toBe('function')
      ipcRenderer.invoke.mockClear()
      await (fn as (args?: unknown) => unknown)({ probe: true })
      expect(ipcRenderer.invoke, `${domain}.${verb} invokes once`).toHaveBeenCalledTimes(1)
      const [channel, args] = ipcRenderer.invoke.mock.calls[0] as [string, unknown]
      expect(args, `${domain}.${verb} passes its argument through`).toEqual({ probe: true })
      byPath.set(`${domain}.${verb}`, channel)
    }
  }
  return byPath
}

describe('contract guard', () => {
  let exposed: Exposed

  beforeAll(async () => {
    resetElectronMock()
    ipcRenderer.invoke.mockImplementation(async () => ({ ok: true, data: null }))
    await import('../../src/preload/index')
    const call = contextBridge.exposeInMainWorld.mock.calls.find(([key]) => key === 'api')
    if (!call) throw new Error('the preload exposed no `api`')
    exposed = call[1] as Exposed
  })

  it('When the preload is loaded, Then it exposes exactly one function per operation, at the path the contract derives, on that operation’s channel', async () => {
    const byPath = await channelsOf(exposed)
    const expected = new Map(OPERATION_NAMES.map((name) => [methodPath(name).join('.'), name]))

    expect(Object.fromEntries(byPath)).toEqual(Object.fromEntries(expected))
  })

  it('When the preload is loaded, Then it exposes `on` and nothing generic (no invoke, send or ipcRenderer)', () => {
    const domains = new Set(OPERATION_NAMES.map((name) => methodPath(name)[0]))
    const extra = Object.keys(exposed).filter((key) => !domains.has(key))

    expect(extra).toEqual(['on'])
    const off = (exposed['on'] as (e: string, l: () => void) => () => void)('journal', () => {})
    expect(ipcRenderer.on).toHaveBeenCalledWith('push:journal', expect.any(Function))
    off()
    expect(ipcRenderer.removeListener).toHaveBeenCalledWith('push:journal', expect.any(Function))
    expect(HOST_EVENT_NAMES).toEqual(['journal', 'snapshot', 'status'])
  })

  it('When main registers the contract, Then its channels, the handler table and the map agree', async () => {
    const { deps } = await memoryHostDeps()
    const handlers = createHandlers(deps)
    const hub = new PushHub(deps)
    const unregister = registerContractIpc(createDispatch(handlers), hub)
    try {
      const names = [...OPERATION_NAMES].sort()
      expect(Object.keys(operations).sort()).toEqual(names)
      expect(Object.keys(handlers).sort()).toEqual(names)
      expect(ipcMain.channels().sort()).toEqual(names)
    } finally {
      unregister()
      hub.close()
    }
  })
})
