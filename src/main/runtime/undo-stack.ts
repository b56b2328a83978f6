/**
 * What start() set up, torn down in reverse order, each step bounded in time: a hung step (a
 * journal flush on a dead disk, a socket that will not close) must never keep the process or the
 * app from stopping. A failed or late step is reported and the next one still runs.
 */
export interface UndoStep {
  name: string
  run: () => Promise<void> | void
}

export class UndoStack {
  private readonly steps: UndoStep[] = []

  push(name: string, run: UndoStep['run']): void {
    this.steps.push({ name, run })
  }

  get size(): number {
    return this.steps.length
  }

  /** Runs every step, newest first; resolves when all have finished or timed out. */
  async unwind(stepMs: number, report: (message: string) => void): Promise<void> {
    while (this.steps.length > 0) {
      const step = this.steps.pop() as UndoStep
      try {
        await withDeadline(Promise.resolve().then(step.run), stepMs, step.name)
      } catch (error) {
        report(`stopping: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
  }
}

export async function withDeadline<T>(work: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} did not finish within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([work, late])
  } finally {
    clearTimeout(timer)
  }
}
