/** The webhook acceptance rule, branch by branch, without a socket. */
import { describe, expect, it } from 'vitest'
import {
  classifyDelivery,
  declaredLength,
  parseVerifiedEvent,
  pathMatches,
  precheckDelivery,
  previewOf,
  signatureHeader,
  type Delivery
} from '../../src/main/engine/webhook-acceptance'

const expectedPath = '/stark/webhook/s3cret-s3cret-s3cret'
const delivery = (over: Partial<Delivery> = {}): Delivery => ({
  method: 'POST',
  path: expectedPath,
  expectedPath,
  contentLength: '120',
  bodyBytes: 120,
  maxBodyBytes: 1000,
  signature: 'MEUCIQ==',
  ...over
})

describe('classifyDelivery', () => {
  it('When everything is in order, Then the body goes to signature verification', () => {
    expect(classifyDelivery(delivery())).toEqual({ kind: 'verify' })
    expect(classifyDelivery(delivery({ contentLength: undefined }))).toEqual({ kind: 'verify' })
    expect(classifyDelivery(delivery({ path: `${expectedPath}?attempt=2` }))).toEqual({
      kind: 'verify'
    })
  })

  it('When the secret path is wrong, Then 404, before the method is even looked at', () => {
    for (const path of [
      '/stark/webhook/s3cret-s3cret-s3creT',
      '/stark/webhook/',
      '/',
      `${expectedPath}/`,
      undefined
    ]) {
      expect(classifyDelivery(delivery({ path }))).toMatchObject({ kind: 'reject', status: 404 })
    }
    expect(classifyDelivery(delivery({ path: '/nope', method: 'GET' }))).toMatchObject({
      status: 404
    })
  })

  it('When the method is not POST, Then 405', () => {
    for (const method of ['GET', 'PUT', 'HEAD', 'post', undefined]) {
      expect(classifyDelivery(delivery({ method }))).toMatchObject({ kind: 'reject', status: 405 })
    }
  })

  it('When the body is over the limit, declared or read, Then 413', () => {
    expect(classifyDelivery(delivery({ contentLength: '1001' }))).toMatchObject({ status: 413 })
    expect(classifyDelivery(delivery({ contentLength: undefined, bodyBytes: 1001 }))).toMatchObject(
      { status: 413 }
    )
    expect(classifyDelivery(delivery({ contentLength: '1000', bodyBytes: 1000 }))).toEqual({
      kind: 'verify'
    })
  })

  it('When the body is empty, Then 400; when the signature is missing or blank, Then 401', () => {
    expect(classifyDelivery(delivery({ bodyBytes: 0, contentLength: '0' }))).toMatchObject({
      status: 400
    })
    for (const signature of [undefined, '', '  ', ['a', 'b'], []]) {
      expect(classifyDelivery(delivery({ signature }))).toMatchObject({
        kind: 'reject',
        status: 401
      })
    }
  })
})

describe('precheckDelivery and declaredLength', () => {
  it('When Content-Length declares more than the limit, Then the body is refused before reading', () => {
    expect(precheckDelivery({ contentLength: '1001', maxBodyBytes: 1000 })).toMatchObject({
      status: 413
    })
    expect(precheckDelivery({ contentLength: '1000', maxBodyBytes: 1000 })).toBeUndefined()
    expect(precheckDelivery({ contentLength: undefined, maxBodyBytes: 1000 })).toBeUndefined()
  })

  it('When Content-Length is not a plain decimal, Then it counts as absent', () => {
    expect(declaredLength('42')).toBe(42)
    expect(declaredLength(' 42 ')).toBe(42)
    expect(declaredLength(42)).toBe(42)
    for (const value of ['-1', '4.2', '0x10', 'abc', '', '99999999999999999999', undefined, 1.5]) {
      expect(declaredLength(value)).toBeUndefined()
    }
  })
})

describe('pathMatches and signatureHeader', () => {
  it('When paths differ only in length or case, Then they do not match; a query string is ignored', () => {
    expect(pathMatches(expectedPath, expectedPath)).toBe(true)
    expect(pathMatches(`${expectedPath}?x=1`, expectedPath)).toBe(true)
    expect(pathMatches(expectedPath.slice(0, -1), expectedPath)).toBe(false)
    expect(pathMatches(`${expectedPath}x`, expectedPath)).toBe(false)
    expect(pathMatches(expectedPath.toUpperCase(), expectedPath)).toBe(false)
    expect(pathMatches(undefined, expectedPath)).toBe(false)
  })

  it('When the header is repeated, Then there is no single signature to check', () => {
    expect(signatureHeader('abc')).toBe('abc')
    expect(signatureHeader(['abc'])).toBe('abc')
    expect(signatureHeader(['abc', 'def'])).toBeUndefined()
    expect(signatureHeader(undefined)).toBeUndefined()
  })
})

describe('parseVerifiedEvent', () => {
  const event = {
    id: '1',
    subscription: 'invoice',
    log: { type: 'credited', invoice: { amount: 1 } }
  }
  const raw = (value: unknown): Buffer =>
    Buffer.from(typeof value === 'string' ? value : JSON.stringify(value))

  it('When the body is a Stark event, Then the event is returned whole', () => {
    const parsed = parseVerifiedEvent(raw({ event: { ...event, workspaceId: '9' } }))
    expect(parsed).toEqual({ ok: true, event: { ...event, workspaceId: '9' } })
  })

  it('When the body is not UTF-8 JSON of an event, Then it is rejected with a reason', () => {
    const bad: [string, Buffer][] = [
      ['not JSON', raw('hello')],
      ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d])],
      ['no event', raw({ events: [event] })],
      ['event is an array', raw({ event: [event] })],
      ['top level is an array', raw([{ event }])],
      ['id is a number', raw({ event: { ...event, id: 1 } })],
      ['empty id', raw({ event: { ...event, id: '' } })],
      ['no subscription', raw({ event: { id: '1', log: event.log } })],
      ['log is missing', raw({ event: { id: '1', subscription: 'invoice' } })],
      ['log is null', raw({ event: { ...event, log: null } })],
      ['log type is not a string', raw({ event: { ...event, log: { type: 7 } } })],
      ['JSON null', raw('null')]
    ]
    for (const [name, body] of bad) {
      const parsed = parseVerifiedEvent(body)
      expect(parsed.ok, name).toBe(false)
      if (!parsed.ok) expect(parsed.reason.length, name).toBeGreaterThan(0)
    }
  })
})

describe('previewOf', () => {
  it('When the body is long or binary, Then the preview is at most 200 printable characters', () => {
    expect(previewOf(Buffer.from('x'.repeat(500)))).toBe('x'.repeat(200))
    expect(previewOf(Buffer.from('a\u0000b\nc\u001b[31m\u00e9'))).toBe('a.b.c.[31m..')
    expect(previewOf(Buffer.alloc(0))).toBe('')
  })
})
