/**
 * Runs sandboxed, so it may import only `electron` (plus types). It exposes one named function per
 * operation of the contract, never a generic invoke/send, so the renderer cannot pick channels.
 * Channel names are literals checked against the contract's types: importing the contract's values
 * would bundle zod into the preload. tests/main/contract-guard.test.ts fails when this object, the
 * contract's map and main's registered handlers disagree.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import type {
  ArgsOf,
  HostEventName,
  HostEvents,
  OperationName,
  RendererApi,
  Result,
  ResultOf
} from '../shared/contract'

/** A plain function per operation (no Proxy, no getters: they do not cross contextBridge). */
function operation<K extends OperationName>(
  channel: K
): (args?: ArgsOf<K>) => Promise<Result<ResultOf<K>>> {
  return (args) =>
    args === undefined ? ipcRenderer.invoke(channel) : ipcRenderer.invoke(channel, args)
}

const api = {
  app: { info: operation('app:info') },
  session: { ready: operation('session:ready') },
  runtime: { status: operation('runtime:status') },
  snapshot: { get: operation('snapshot:get') },
  run: {
    start: operation('run:start'),
    pause: operation('run:pause'),
    resume: operation('run:resume'),
    stop: operation('run:stop'),
    nextBatch: operation('run:next-batch'),
    oneInvoice: operation('run:one-invoice'),
    export: operation('run:export')
  },
  journal: { entries: operation('journal:entries') },
  invoice: {
    chain: operation('invoice:chain'),
    qrcode: operation('invoice:qrcode'),
    payNow: operation('invoice:pay-now')
  },
  document: { open: operation('document:open') },
  event: { replay: operation('event:replay') },
  transfer: { retry: operation('transfer:retry') },
  emulator: {
    clock: operation('emulator:clock'),
    faults: operation('emulator:faults')
  },
  environment: {
    get: operation('environment:get'),
    switch: operation('environment:switch')
  },
  keys: {
    get: operation('keys:get'),
    save: operation('keys:save'),
    loadFile: operation('keys:load-file'),
    generate: operation('keys:generate'),
    setProject: operation('keys:set-project'),
    delete: operation('keys:delete')
  },
  connection: { test: operation('connection:test') },
  prefs: {
    get: operation('prefs:get'),
    set: operation('prefs:set')
  },
  /** Subscribes to a pushed event; the returned function unsubscribes (React effect cleanups). */
  on<E extends HostEventName>(event: E, listener: (payload: HostEvents[E]) => void): () => void {
    const channel: `push:${HostEventName}` = `push:${event}`
    const wrapped = (_event: IpcRendererEvent, payload: HostEvents[E]): void => listener(payload)
    ipcRenderer.on(channel, wrapped)
    return () => {
      ipcRenderer.removeListener(channel, wrapped)
    }
  }
} satisfies RendererApi

export type Api = typeof api

contextBridge.exposeInMainWorld('api', api)
