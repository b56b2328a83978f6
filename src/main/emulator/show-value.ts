/**
 * A client's value quoted in an error message. Bounded both ways: a long value is clipped (a 1 MiB
 * string has no place in an error), and a value too deep for `JSON.stringify` is described instead
 * of overflowing the stack (the front refuses such bodies first: http-io.ts MAX_JSON_DEPTH).
 */
const MAX_SHOWN = 200

export function showValue(value: unknown): string {
  let text: string
  try {
    text = JSON.stringify(value) ?? String(value)
  } catch {
    return Array.isArray(value) ? 'a list nested too deeply to show' : 'a value too deep to show'
  }
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text
}
