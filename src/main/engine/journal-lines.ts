/**
 * One journal line to entries, validated: the same rules on open and when older entries are paged
 * from disk. A bad line is never skipped; the error names the file and the line and says what to do.
 */
import { AppError } from '../../shared/errors'
import type { JournalBody, JournalEntry } from '../../shared/journal'
import type { Line } from './journal-file'
import { readLineValue } from './journal-validate'

export type LineItem =
  { entry: JournalEntry } | { legacy: { body: JournalBody; seq: number; at: number } }

export type LineResult =
  | { kind: 'blank' }
  /** `json`: the line is complete JSON (so it is not a write torn by a crash). */
  | { kind: 'bad'; problem: string; json: boolean }
  /** `glued`: two entries on one line, left by the previous release (see splitGlued). */
  | { kind: 'ok'; items: LineItem[]; glued: boolean }

const isBlank = (text: string): boolean => text.charCodeAt(0) !== 123 && text.trim() === ''

function itemsOf(values: unknown[]): LineItem[] | { problem: string } {
  const items: LineItem[] = []
  for (const value of values) {
    const read = readLineValue(value)
    if (!read.ok) return { problem: read.problem }
    items.push('entry' in read ? { entry: read.entry } : { legacy: read.legacy })
  }
  return items
}

/**
 * The previous release appended after a last line that had lost its `\n`, gluing two entries into
 * one line (`{...}{...}`); every later start refused the file. Such a line is read as its entries.
 */
function splitGlued(text: string): unknown[] | undefined {
  const values: unknown[] = []
  let rest = text
  while (rest !== '') {
    let found = false
    for (let i = rest.indexOf('}{'); i !== -1; i = rest.indexOf('}{', i + 1)) {
      try {
        values.push(JSON.parse(rest.slice(0, i + 1)))
        rest = rest.slice(i + 1)
        found = true
        break
      } catch {
        // Not a boundary between two entries: a "}{" inside a string. Try the next one.
      }
    }
    if (found) continue
    try {
      values.push(JSON.parse(rest))
    } catch {
      return undefined
    }
    rest = ''
  }
  return values.length > 1 ? values : undefined
}

export function parseLine(line: Line): LineResult {
  if (line.overlong) return { kind: 'bad', problem: `longer than 1 MiB`, json: false }
  const text = line.text
  if (isBlank(text)) return { kind: 'blank' }
  let values: unknown[]
  let glued = false
  try {
    values = [JSON.parse(text)]
  } catch {
    const split = text.includes('}{') ? splitGlued(text) : undefined
    if (!split) return { kind: 'bad', problem: 'not JSON', json: false }
    values = split
    glued = true
  }
  const items = itemsOf(values)
  if (!Array.isArray(items)) return { kind: 'bad', problem: items.problem, json: true }
  return { kind: 'ok', items, glued }
}

/** The refusal for a damaged journal: which file, which line, what is wrong, what to do. */
export function damaged(file: string, line: Line, problem: string): AppError {
  return new AppError(
    'state_damaged',
    `The journal ${file} is damaged at ${line.number > 0 ? `line ${line.number} (byte ${line.offset})` : `byte ${line.offset}`}: ${problem}. ` +
      `Nothing was changed. Restore the file from a backup, or remove or fix that line with a text ` +
      `editor (the lines before it are intact), then start again.`
  )
}
