/**
 * Durable emulator state: one JSON document replaced atomically (write-file-atomic writes a temp file,
 * fsyncs it and renames it over the old one), so a crash leaves either the old or the new state, never a
 * torn file. Writes are coalesced: callers await `save()`, and concurrent calls share the next write.
 */
import { readFile } from 'node:fs/promises'
import writeFileAtomic from 'write-file-atomic'
import type { EmulatorState } from './types'

export async function loadState(file: string): Promise<EmulatorState | undefined> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  const state = JSON.parse(text) as EmulatorState
  if (state.version !== 1) {
    throw new Error(
      `state file ${file} has version ${String(state.version)}; this emulator reads 1`
    )
  }
  return state
}

export class StateWriter {
  private writing: Promise<void> | undefined
  private queued: Promise<void> | undefined

  constructor(
    private readonly file: string | undefined,
    private readonly snapshot: () => EmulatorState
  ) {}

  /** Resolves once a write that started after this call has reached the disk. */
  save(): Promise<void> {
    if (!this.file) return Promise.resolve()
    if (this.queued) return this.queued
    if (!this.writing) {
      this.writing = this.write().finally(() => (this.writing = undefined))
      return this.writing
    }
    const after = this.writing
    this.queued = after
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined
        return this.save()
      })
    return this.queued
  }

  private async write(): Promise<void> {
    await writeFileAtomic(this.file as string, JSON.stringify(this.snapshot()), { mode: 0o600 })
  }
}
