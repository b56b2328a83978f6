/**
 * The CLI's stdout: one line per event, JSON or words. A reader that goes away (`| head`) closes the
 * pipe; the next write fails with EPIPE, which would otherwise be an uncaught error. Here it marks
 * the output closed (nothing more is written) and tells the CLI, which then stops quietly.
 */
export type Line = Record<string, unknown> & { type: string }

export class Output {
  private closedByReader = false

  constructor(
    readonly json: boolean,
    onReaderGone: () => void
  ) {
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error
      if (this.closedByReader) return
      this.closedByReader = true
      onReaderGone()
    })
    // Nobody is left to read a failed diagnostic either.
    process.stderr.on('error', () => undefined)
  }

  get closed(): boolean {
    return this.closedByReader
  }

  /** `line` in JSON mode, `human` otherwise. */
  write(line: Line, human: string): void {
    if (this.closedByReader) return
    process.stdout.write(this.json ? `${JSON.stringify(line)}\n` : `${human}\n`)
  }

  /** A diagnostic on stderr (never in the JSON stream). */
  note(message: string): void {
    process.stderr.write(`${message}\n`)
  }
}
