/**
 * Host dependencies for transport tests that need no engine: a memory journal, a snapshot and a
 * status that say so, preferences in a temp folder, and the browser's download host.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { downloadHost } from '../../src/main/app/download-host'
import type { HostDeps, LiveRuntime } from '../../src/main/app/ports'
import { confPrefs } from '../../src/main/app/prefs'
import type { SimulatorSnapshot } from '../../src/shared/snapshot'
import { MemoryJournal } from './memory-journal'

const unused = (): never => {
  throw new Error('not used by this test')
}

export function emptySnapshot(now = 0): SimulatorSnapshot {
  return {
    now,
    webhookUrl: undefined,
    run: null,
    batches: [],
    invoices: [],
    totals: {
      invoices: 0,
      invoicedAmount: 0,
      paid: 0,
      credited: 0,
      creditedAmount: 0,
      fees: 0,
      transfersSent: 0,
      transfersSucceeded: 0,
      transferredAmount: 0,
      transfersFailed: 0,
      transfersPending: 0,
      skipped: 0
    },
    rejected: { total: 0, byReason: {} }
  }
}

export async function memoryHostDeps(): Promise<{ deps: HostDeps; journal: MemoryJournal }> {
  const journal = new MemoryJournal()
  const dir = await mkdtemp(join(tmpdir(), 'ssim-host-'))
  const live: LiveRuntime = {
    journal,
    simulator: {
      snapshot: () => emptySnapshot(journal.lastSeq()),
      startRun: unused,
      pause: unused,
      resume: unused,
      stopRun: unused,
      issueBatchNow: unused,
      issueInvoice: unused,
      replayEvent: unused,
      retryTransfer: unused
    },
    documents: { invoiceQrcode: unused, pdf: unused }
  }
  const deps: HostDeps = {
    info: { name: 'Stark Sandbox Simulator', version: '0.0.0-test', host: 'dashboard' },
    status: () => ({
      phase: 'running',
      error: null,
      environment: 'emulator',
      target: {
        kind: 'embedded',
        label: 'Embedded emulator',
        emulatorUrl: 'http://127.0.0.1:1',
        projectId: null
      },
      stateDir: dir,
      webhook: { listening: false, url: null, rejected: 0 },
      clock: { now: 0, speed: 1 },
      publicUrl: null
    }),
    live: () => live,
    prefs: confPrefs(dir),
    host: downloadHost()
  }
  return { deps, journal }
}
