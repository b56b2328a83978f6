/**
 * Stark answers every client error with HTTP 400 and `{"errors":[{code,message}]}`; the Node SDK maps
 * only 400 (InputErrors) and 500 (InternalServerError), so the emulator never uses 404 for unknown ids.
 */
export interface StarkErrorItem {
  code: string
  message: string
}

export class StarkError extends Error {
  constructor(
    readonly errors: StarkErrorItem[],
    readonly status = 400
  ) {
    super(errors.map((e) => `${e.code}: ${e.message}`).join('; '))
  }

  static of(code: string, message: string, status = 400): StarkError {
    return new StarkError([{ code, message }], status)
  }

  get body(): { errors: StarkErrorItem[] } {
    return { errors: this.errors }
  }
}

/** Collects one error per invalid element, as Stark does for batch creates. */
export class ErrorList {
  readonly items: StarkErrorItem[] = []

  add(code: string, message: string): void {
    this.items.push({ code, message })
  }

  throwIfAny(): void {
    if (this.items.length > 0) throw new StarkError(this.items)
  }
}
