/**
 * Which Stark the app talks to and how Stark's webhooks reach it, as every front end sees it: the
 * environment (the embedded emulator or the user's sandbox project), the public webhook URL choice,
 * and the sandbox credentials without the private key (the renderer never gets it). Pure
 * TypeScript and zod: shared by main, the renderer and the dashboard.
 */
import { z } from 'zod'
import { isWebUrl } from './web-url'

export const ENVIRONMENTS = ['emulator', 'sandbox'] as const
export type Environment = (typeof ENVIRONMENTS)[number]

/**
 * How Stark's webhooks reach this computer: not at all (the emulator delivers on loopback; the
 * sandbox is caught up by polling), a localtunnel tunnel this app opens and heals (on `host`, the
 * public localtunnel service by default, or a self-hosted one), or the user's own public URL.
 */
export const publicUrlChoiceSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('off') }).strict(),
  z
    .object({
      mode: z.literal('localtunnel'),
      // A server's address and nothing else (the tunnel manager's rule); http for a self-hosted
      // server on this machine or a test's.
      host: z
        .string()
        .max(300)
        .refine((value) => /^https?:\/\/[^/\s]+\/?$/.test(value), {
          message: 'a server address like https://localtunnel.me, with no path'
        })
        .optional()
    })
    .strict(),
  z
    .object({
      mode: z.literal('public-url'),
      // Stark delivers webhooks only to https.
      url: z
        .string()
        .max(300)
        .refine((value) => isWebUrl(value) && value.startsWith('https://'), {
          message: 'Stark delivers webhooks only to https:// URLs'
        })
    })
    .strict()
])
export type PublicUrlChoice = z.infer<typeof publicUrlChoiceSchema>

export const environmentChoiceSchema = z
  .object({
    environment: z.enum(ENVIRONMENTS),
    /** Unchanged when absent. */
    publicUrl: publicUrlChoiceSchema.optional()
  })
  .strict()
export type EnvironmentChoice = z.infer<typeof environmentChoiceSchema>

export interface EnvironmentView {
  environment: Environment
  publicUrl: PublicUrlChoice
  /** The state folder each environment uses (the sandbox's once a project is known). */
  stateDirs: { emulator: string; sandbox: string | null }
}

/** How the private key is kept on this computer. */
export interface KeyProtectionView {
  /** `keychain`, `dpapi`, `gnome_libsecret`, `kwallet*`, `basic_text`, `memory` (the dashboard), `none`. */
  backend: string
  available: boolean
  /** Protected by the OS's secret store (or kept only in memory). */
  protected: boolean
  /** Why not, in words with what to do; null when protected. */
  reason: string | null
}

/** What a front end may see of the stored sandbox credentials: never the private key. */
export interface CredentialsView {
  /** Null until given: Stark shows the project id once the public key made a project there. */
  projectId: string | null
  /** Short SHA-256 fingerprint of the public key. */
  fingerprint: string
  /** SPKI PEM, to paste into Stark's web console. */
  publicKeyPem: string
}

export interface KeysView {
  protection: KeyProtectionView
  credentials: CredentialsView | null
}

const projectIdSchema = z.string().trim().max(64)
/** Optional where a key may come before its project (generated here, then pasted into Stark). */
const laterProjectId = projectIdSchema.optional()

export const saveKeySchema = z
  .object({
    projectId: laterProjectId,
    /** PEM text (PKCS#8 or SEC1, secp256k1), pasted or read by the page from a file. */
    privateKeyPem: z.string().max(20_000),
    allowUnprotected: z.boolean().optional()
  })
  .strict()

export const keyFromHostSchema = z
  .object({ projectId: laterProjectId, allowUnprotected: z.boolean().optional() })
  .strict()

export const setProjectSchema = z.object({ projectId: projectIdSchema }).strict()

export type ConnectionStep = 'balance' | 'public-key' | 'webhooks'

/** The answer of "Test connection": what Stark said, or the first failure in the user's words. */
export type ConnectionReport =
  | {
      ok: true
      /** Integer cents. */
      balance: number
      /** Short fingerprint of the key Stark signs webhooks with. */
      starkKeyFingerprint: string
      webhooks: { id: string; url: string }[]
    }
  /** `kind`: network, tls, auth, permission, stark (see stark/failure-words.ts). */
  | { ok: false; step: ConnectionStep; kind: string; message: string }
