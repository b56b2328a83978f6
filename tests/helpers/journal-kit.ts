/**
 * A journal on its own, on a temporary file, as the simulator opens it: a manual clock, an injected
 * wall clock, the real projection folded in and the real run lookup. Plus file-handle wrappers that
 * behave like a nearly full disk.
 */
import { mkdtemp, open, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Journal, type JournalOptions } from '../../src/main/engine/journal'
import type { JournalHandle, OpenHandle } from '../../src/main/engine/journal-file'
import { runIdOf } from '../../src/main/engine/journal-run'
import { Projection } from '../../src/main/engine/projection'
import { VirtualClock } from '../../src/main/time/clock'
import type { JournalBody } from '../../src/shared/journal'

export const START = Date.UTC(2026, 0, 5, 12)

export interface Kit {
  dir: string
  file: string
  clock: VirtualClock
  errors: string[]
  warnings: string[]
  open(options?: Partial<JournalOptions>): Promise<{ journal: Journal; projection: Projection }>
  cleanup(): Promise<void>
}

export async function journalKit(): Promise<Kit> {
  const dir = await mkdtemp(join(tmpdir(), 'ssim-journal-'))
  const clock = new VirtualClock({ start: START, speed: 0 })
  const errors: string[] = []
  const warnings: string[] = []
  let wall = START + 7
  const journals: Journal[] = []
  return {
    dir,
    file: join(dir, 'journal.ndjson'),
    clock,
    errors,
    warnings,
    async open(options = {}) {
      const projection = new Projection()
      const journal = await Journal.open(join(dir, 'journal.ndjson'), {
        clock,
        realTime: () => wall++,
        logger: {
          info: () => undefined,
          warn: (m) => warnings.push(m),
          error: (m) => errors.push(m)
        },
        fold: (entry) => projection.apply(entry),
        runOf: (body) => runIdOf(body, projection),
        ...options
      })
      journals.push(journal)
      return { journal, projection }
    },
    async cleanup() {
      for (const journal of journals) await journal.close().catch(() => undefined)
      await rm(dir, { recursive: true, force: true })
    }
  }
}

/** A run with one invoice per `i`: bodies as the engine appends them. */
export function runStarted(runId = 'run-a'): JournalBody {
  return {
    type: 'run.started',
    runId,
    plan: {
      batches: 8,
      intervalMs: 10_800_000,
      minInvoices: 8,
      maxInvoices: 12,
      minAmount: 1_000,
      maxAmount: 100_000,
      settleMs: 7_200_000
    },
    sizes: [8, 9, 10, 11, 12, 8, 9, 10],
    startedAt: START
  }
}

export function invoiceCreated(i: number): JournalBody {
  return {
    type: 'invoice.created',
    invoiceId: `inv-${i}`,
    batch: 'b0',
    amount: 1_000 + i,
    name: `Payer ${i}`,
    taxId: '012.345.678-90'
  }
}

export function transferIntent(i: number): JournalBody {
  return {
    type: 'transfer.intent',
    invoiceId: `inv-${i}`,
    externalId: `ssim-inv-${i}`,
    amount: 900 + i,
    attempt: 0
  }
}

export interface DiskScript {
  /** Most bytes one write call takes (a short write beyond it). */
  maxPerCall?: number
  /** Total bytes the disk takes before it is full. */
  capacity?: number
  /** When full: throw ENOSPC (default) or report 0 bytes written. */
  whenFull?: 'enospc' | 'zero'
}

/** A real file handle whose writes behave like a nearly full disk; counts the write calls. */
export function diskLike(
  script: DiskScript
): OpenHandle & { writes: number[]; script: DiskScript } {
  const writes: number[] = []
  let used = 0
  const openHandle = async (file: string): Promise<JournalHandle> => {
    const handle = await open(file, 'a+', 0o600)
    return {
      read: (buffer, offset, length, position) => handle.read(buffer, offset, length, position),
      async write(buffer, offset, length) {
        const room = (script.capacity ?? Infinity) - used
        if (room <= 0) {
          if (script.whenFull === 'zero') return { bytesWritten: 0 }
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), {
            code: 'ENOSPC'
          })
        }
        const n = Math.min(length, script.maxPerCall ?? Infinity, room)
        const { bytesWritten } = await handle.write(buffer, offset, n)
        used += bytesWritten
        writes.push(bytesWritten)
        return { bytesWritten }
      },
      datasync: () => handle.datasync(),
      truncate: async (length) => {
        await handle.truncate(length)
      },
      close: () => handle.close()
    }
  }
  return Object.assign(openHandle, { writes, script })
}
