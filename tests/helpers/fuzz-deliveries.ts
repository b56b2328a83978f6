/**
 * Webhook fuzzing kit: turns genuine signed events into a shuffled mix of good and hostile deliveries
 * (duplicates, tampered, spliced, truncated, forged, badly signed, oversized, wrong path or method),
 * and fires them at a webhook URL with bounded concurrency, recording each answer.
 */
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto'
import { signBody } from '../../src/main/emulator/delivery'
import { pythonJsonDumps } from '../../src/main/emulator/py-json'
import type { Rng } from '../../src/main/time/rng'
import { send } from './http-send'

/** A webhook body exactly as the emulator would send it, signed with Stark's key. */
export interface Genuine {
  id: string
  event: { log: { type: string } & Record<string, unknown> } & Record<string, unknown>
  body: Buffer
  signature: string
}

export type Kind =
  | 'genuine'
  | 'resigned'
  | 'bytes'
  | 'splice'
  | 'truncated'
  | 'malformed'
  | 'forged'
  | 'bad-signature'
  | 'no-signature'
  | 'wrong-path'
  | 'get'
  | 'oversized'
  | 'oversized-chunked'

export interface Delivery {
  kind: Kind
  body?: Buffer
  signature?: string
  /** Only for genuine deliveries: the event whose bytes are sent. */
  eventId?: string
  /** Only for forged ones: the id the forger made up. */
  forgedId?: string
  method?: 'GET'
  wrongPath?: boolean
  streamBytes?: number
}

/** What each kind must get: a status, or for oversized bodies possibly a reset after the 413. */
export const EXPECTED: Record<Kind, number> = {
  genuine: 200,
  resigned: 400,
  bytes: 400,
  splice: 400,
  truncated: 400,
  malformed: 400,
  forged: 400,
  'bad-signature': 400,
  'no-signature': 401,
  'wrong-path': 404,
  get: 405,
  oversized: 413,
  'oversized-chunked': 413
}

export const OVERSIZED_BYTES = 300 * 1024

export function genuine(event: Genuine['event'], starkKeyPem: string): Genuine {
  const body = pythonJsonDumps({ event })
  return {
    id: event.id as string,
    event,
    body: Buffer.from(body),
    signature: signBody(body, starkKeyPem)
  }
}

export function attackerKey(): KeyObject {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' })
  return createPrivateKey(privateKey.export({ type: 'sec1', format: 'pem' }))
}

const signWith = (body: Buffer, key: KeyObject | string): string =>
  sign('sha256', body, key).toString('base64')

function shuffle<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(0, i)
    ;[items[i], items[j]] = [items[j] as T, items[i] as T]
  }
  return items
}

const withLog = (g: Genuine, patch: Record<string, unknown>): Buffer =>
  Buffer.from(pythonJsonDumps({ event: { ...g.event, log: { ...g.event.log, ...patch } } }))

const invoiceOf = (g: Genuine): Record<string, unknown> =>
  (g.event.log.invoice ?? g.event.log.transfer) as Record<string, unknown>

export interface MixInput {
  /** Every genuine event to deliver, each `copies` times (the first copy is the real delivery). */
  genuine: Genuine[]
  copies: number
  /** Genuine `credited` events of the run: the ones worth tampering with. */
  credited: Genuine[]
  /** Invoice (or transfer) logs a forger would like to see credited (or failed). */
  forgeLogs: Genuine['event']['log'][]
  forgeType: string
  total: number
  rng: Rng
  attacker: KeyObject
  starkKeyPem: string
}

/** Builds `total` deliveries: every genuine copy plus hostile ones drawn at random, shuffled. */
export function mix(input: MixInput): Delivery[] {
  const { rng, attacker, credited } = input
  const out: Delivery[] = []
  for (const g of input.genuine)
    for (let c = 0; c < input.copies; c++)
      out.push({ kind: 'genuine', body: g.body, signature: g.signature, eventId: g.id })
  const pickCredited = (): Genuine => rng.pick(credited)
  const any = (): Genuine => rng.pick(input.genuine)

  const makers: [number, () => Delivery][] = [
    // The amount of a credited log raised, and signed with another key.
    [
      3,
      () => {
        const g = pickCredited()
        const inv = invoiceOf(g)
        const body = withLog(g, { invoice: { ...inv, amount: (inv.amount as number) * 10 } })
        return { kind: 'resigned', body, signature: signWith(body, attacker) }
      }
    ],
    // Stark's own signature kept, the bytes changed (a digit of the amount, or any byte).
    [
      3,
      () => {
        const g = pickCredited()
        const text = g.body.toString()
        const at = text.indexOf('"amount": ') + 10
        const tampered = rng.chance(0.5)
          ? Buffer.from(text.slice(0, at) + '9' + text.slice(at))
          : Buffer.from(g.body)
        if (tampered.length === g.body.length) {
          const i = rng.int(0, tampered.length - 1)
          tampered[i] = (tampered[i] as number) ^ (1 << rng.int(0, 6))
        }
        return { kind: 'bytes', body: tampered, signature: g.signature }
      }
    ],
    // Another invoice's credited fields spliced into this event, with this event's signature.
    [
      2,
      () => {
        const i = rng.int(0, credited.length - 1)
        const g = credited[i] as Genuine
        const other = credited[(i + rng.int(1, credited.length - 1)) % credited.length] as Genuine
        const body = withLog(g, { invoice: invoiceOf(other) })
        return { kind: 'splice', body, signature: g.signature }
      }
    ],
    [
      3,
      () => {
        const g = any()
        const body = g.body.subarray(0, rng.int(1, g.body.length - 1))
        return { kind: 'truncated', body, signature: g.signature }
      }
    ],
    // Signed with Stark's real key but not an event: refused rather than half understood.
    [
      1,
      () => {
        const g = any()
        const variants = [
          () => g.body.subarray(0, rng.int(1, g.body.length - 1)),
          () => pythonJsonDumps({ event: { ...g.event, id: '' } }),
          () => pythonJsonDumps({ events: [g.event] }),
          () => Buffer.from([0x7b, 0xff, 0xfe, 0x7d])
        ]
        const body = Buffer.from(rng.pick(variants)())
        return { kind: 'malformed', body, signature: signWith(body, input.starkKeyPem) }
      }
    ],
    // A made-up event for an invoice worth stealing, signed by someone who is not Stark.
    [
      3,
      () => {
        const log = rng.pick(input.forgeLogs)
        const target = (log.invoice ?? log.transfer) as Record<string, unknown>
        const forgedId = String(rng.int(1e15, 9e15))
        const stolen = { ...target, amount: rng.int(1, 99_999_999), fee: rng.int(0, 50) }
        const event = {
          created: '2026-05-04T12:00:01.123456+00:00',
          id: forgedId,
          log: {
            ...log,
            ...(log.invoice ? { invoice: stolen } : {}),
            id: String(rng.int(1e15, 9e15)),
            type: input.forgeType
          },
          subscription: log.invoice ? 'invoice' : 'transfer',
          workspaceId: '5078376503050240'
        }
        const body = Buffer.from(pythonJsonDumps({ event }))
        return { kind: 'forged', body, signature: signWith(body, attacker), forgedId }
      }
    ],
    [
      3,
      () => {
        const g = any()
        const other = any()
        const garbage = [
          () => Buffer.from(Array.from({ length: 70 }, () => rng.int(0, 255))).toString('base64'),
          () => 'not a signature!',
          () => (other === g ? signWith(g.body, attacker) : other.signature),
          () => {
            const s = g.signature
            return s.slice(0, 10) + (s[10] === 'A' ? 'B' : 'A') + s.slice(11)
          }
        ]
        return { kind: 'bad-signature', body: g.body, signature: rng.pick(garbage)() }
      }
    ],
    [1, () => ({ kind: 'no-signature', body: any().body })],
    [
      1,
      () => {
        const g = any()
        return { kind: 'wrong-path', body: g.body, signature: g.signature, wrongPath: true }
      }
    ],
    [1, () => ({ kind: 'get', method: 'GET' })],
    // A body Stark really signed, padded with JSON whitespace past the limit: still refused.
    [
      0.25,
      () => {
        const g = any()
        const text = g.body.toString()
        const body = Buffer.from(text.slice(0, -1) + ' '.repeat(OVERSIZED_BYTES) + '}')
        return { kind: 'oversized', body, signature: signWith(body, input.starkKeyPem) }
      }
    ],
    [0.25, () => ({ kind: 'oversized-chunked', streamBytes: OVERSIZED_BYTES, signature: 'AAAA' })]
  ]
  const weight = makers.reduce((sum, [w]) => sum + w, 0)
  while (out.length < input.total) {
    let draw = rng.next() * weight
    const maker = makers.find(([w]) => (draw -= w) < 0) ?? makers[0]!
    out.push(maker[1]())
  }
  return shuffle(out, rng)
}

export interface Outcome {
  delivery: Delivery
  /** HTTP status, or 'reset' when the connection died before any answer. */
  status: number | 'reset'
  result?: string
}

/**
 * Fires the deliveries with `concurrency` in flight. After `deadline` (epoch ms) only genuine ones
 * are still sent, so the run stays bounded in time without ever skipping a real credit.
 */
export async function fire(
  url: string,
  deliveries: Delivery[],
  options: { concurrency: number; deadline: number }
): Promise<Outcome[]> {
  const wrong = url.slice(0, -1) + (url.endsWith('x') ? 'y' : 'x')
  const outcomes: Outcome[] = []
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < deliveries.length) {
      const delivery = deliveries[next++] as Delivery
      if (delivery.kind !== 'genuine' && Date.now() > options.deadline) continue
      const headers: Record<string, string> = {}
      if (delivery.signature !== undefined) headers['Digital-Signature'] = delivery.signature
      try {
        const reply = await send(delivery.wrongPath ? wrong : url, {
          method: delivery.method ?? 'POST',
          headers,
          body: delivery.body,
          streamBytes: delivery.streamBytes
        })
        const result = (reply.body as { result?: string } | undefined)?.result
        outcomes.push({ delivery, status: reply.status, result })
      } catch {
        outcomes.push({ delivery, status: 'reset' })
      }
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker))
  return outcomes
}
