/** The signed webhook body the real Stark sandbox sent in 2021, copied from shared/fixtures. */
import { readFileSync } from 'node:fs'

export interface SignedSandboxEvent {
  starkSandboxPublicKey: string
  content: string
  digitalSignature: string
}

export const sandboxEvent2021 = JSON.parse(
  readFileSync(new URL('../fixtures/stark-sandbox-event-2021.json', import.meta.url), 'utf8')
) as SignedSandboxEvent
