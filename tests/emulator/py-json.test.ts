/**
 * Webhook bodies must be byte-identical to what Stark's Python `json.dumps(sort_keys=True)` writes:
 * the receiver verifies the signature over the raw bytes, and apps that re-stringify must fail here
 * as they do against the real sandbox.
 */
import { verify } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { sandboxEvent2021 } from '../helpers/fixtures'
import { pythonJsonDumps } from '../../src/main/emulator/py-json'

const fixture = sandboxEvent2021

describe('pythonJsonDumps against a real signed sandbox body', () => {
  it('When the 2021 sandbox body is parsed and dumped again, Then the bytes are identical', () => {
    const parsed = JSON.parse(fixture.content) as unknown
    expect(pythonJsonDumps(parsed)).toBe(fixture.content)
  })

  it('When the body is checked with the Stark sandbox key, Then its signature verifies', () => {
    const signature = Buffer.from(fixture.digitalSignature, 'base64')
    const ok = verify(
      'sha256',
      Buffer.from(fixture.content),
      fixture.starkSandboxPublicKey,
      signature
    )
    expect(ok).toBe(true)
  })

  it('When the body is re-serialized with JSON.stringify, Then the signature no longer verifies', () => {
    const compact = JSON.stringify(JSON.parse(fixture.content))
    const signature = Buffer.from(fixture.digitalSignature, 'base64')
    expect(verify('sha256', Buffer.from(compact), fixture.starkSandboxPublicKey, signature)).toBe(
      false
    )
  })
})

describe('pythonJsonDumps formatting', () => {
  it('When strings hold non-ASCII text, Then it is escaped as \\uXXXX like ensure_ascii', () => {
    expect(pythonJsonDumps({ name: 'João Ávila' })).toBe('{"name": "Jo\\u00e3o \\u00c1vila"}')
    expect(pythonJsonDumps('😀')).toBe('"\\ud83d\\ude00"')
    expect(pythonJsonDumps('\u007f')).toBe('"\\u007f"')
  })

  it('When strings hold quotes, backslashes and control characters, Then Python escapes are used', () => {
    expect(pythonJsonDumps('a"b\\c\n\r\t\b\f\u0001/')).toBe('"a\\"b\\\\c\\n\\r\\t\\b\\f\\u0001/"')
  })

  it('When fine, interest or percentage are whole numbers, Then they print as floats', () => {
    const invoice = { fine: 2, interest: 1, discounts: [{ percentage: 10, due: 'x' }], amount: 256 }
    expect(pythonJsonDumps(invoice)).toBe(
      '{"amount": 256, "discounts": [{"due": "x", "percentage": 10.0}], "fine": 2.0, "interest": 1.0}'
    )
    expect(pythonJsonDumps({ fine: 2.5 })).toBe('{"fine": 2.5}')
  })

  it('When objects nest, Then keys are sorted at every level and separators are ", " and ": "', () => {
    const value = { b: { z: 1, a: [true, false, null] }, a: [], c: {}, B: 'upper' }
    expect(pythonJsonDumps(value)).toBe(
      '{"B": "upper", "a": [], "b": {"a": [true, false, null], "z": 1}, "c": {}}'
    )
  })

  it('When a key holds undefined, Then it is left out as JSON.stringify does', () => {
    expect(pythonJsonDumps({ a: undefined, b: 1 })).toBe('{"b": 1}')
  })
})
