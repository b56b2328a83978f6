/**
 * Serializes like Python's `json.dumps(obj, sort_keys=True)`, the format of every webhook body Stark
 * sends (shared/stark-api.md §4): sorted keys, `", "` and `": "` separators, ASCII-only output with
 * `\uXXXX` escapes, and floats printed as floats (`2.0`). JavaScript has no float type, so the keys
 * whose values Stark stores as floats are named here.
 */
const FLOAT_KEYS = new Set(['fine', 'interest', 'percentage'])

function pyFloat(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`cannot serialize ${value} as JSON`)
  return Number.isInteger(value) ? value.toFixed(1) : String(value)
}

function pyString(value: string): string {
  let out = '"'
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string
    const code = value.charCodeAt(i)
    if (ch === '"') out += '\\"'
    else if (ch === '\\') out += '\\\\'
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else if (ch === '\b') out += '\\b'
    else if (ch === '\f') out += '\\f'
    else if (code < 0x20 || code > 0x7e) out += '\\u' + code.toString(16).padStart(4, '0')
    else out += ch
  }
  return out + '"'
}

function dump(value: unknown, asFloat: boolean): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'number') return asFloat ? pyFloat(value) : String(value)
  if (typeof value === 'string') return pyString(value)
  if (Array.isArray(value)) return '[' + value.map((v) => dump(v, asFloat)).join(', ') + ']'
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return (
      '{' +
      entries.map(([k, v]) => pyString(k) + ': ' + dump(v, FLOAT_KEYS.has(k))).join(', ') +
      '}'
    )
  }
  throw new TypeError(`cannot serialize a ${typeof value} as JSON`)
}

export function pythonJsonDumps(value: unknown): string {
  return dump(value, false)
}
