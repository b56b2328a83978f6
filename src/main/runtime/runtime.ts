/**
 * The runtime: everything a front end needs to run the trial, without Electron. The desktop app's
 * main process, the browser dashboard and the headless CLI all drive exactly this.
 *
 * It chooses the target (embedded emulator, an emulator elsewhere, the real sandbox) and its state
 * folder, takes an exclusive lock on that folder, connects (it alone sets the SDK's global user and
 * https agent, so only one runtime is live per process), checks the folder belongs to this Stark,
 * creates and starts the simulator, registers the webhook (retrying transient failures), and stops
 * all of it in reverse order, each step bounded in time.
 *
 * Rules front ends can rely on:
 * - One folder per target. By default `<baseDir>/emulator`, `<baseDir>/external-<host>-<port>`,
 *   `<baseDir>/sandbox-<projectId>`; a folder made against one Stark is refused against another
 *   (`state_mismatch`, naming the folder to use instead).
 * - One process per folder: a second one is refused (`state_locked`, naming the holder's pid).
 * - Nothing is silently started over: a lost journal while Stark holds the folder's invoices is
 *   `journal_missing`; a lost installation.json is `state_damaged`.
 * - Every expected failure is an AppError whose message says what happened and what to do.
 */
import type { ClockView, RuntimePhase, RuntimeStatus } from '../../shared/contract'
import type { ConnectionReport } from '../../shared/environment'
import type { Logger } from '../engine/context'
import type { InvariantReport } from '../engine/invariants'
import type { Simulator } from '../engine/simulator'
import type { StarkClient } from '../stark/client'
import type { TargetChoice } from '../stark/targets'
import type { RealTime, VirtualClock } from '../time/clock'
import type { EmulatorControls } from './emulator-controls'
import type { PublicUrlTuning } from './public-url'
import { createRuntimeImpl } from './runtime-impl'

export type { RuntimePhase, RuntimeStatus, ClockView, TargetChoice, EmulatorControls }

/** Stark's documents, as the SDK's own routes serve them (emulator and sandbox alike). */
export type StarkDocuments = Pick<
  StarkClient,
  'invoiceQrcode' | 'invoicePdf' | 'invoiceLogPdf' | 'transferPdf'
>

export interface RuntimeOptions {
  target: TargetChoice
  /** The exact state folder. Default: the target's own folder under `baseDir`. */
  stateDir?: string
  /** Where each target's default folder lives (default `.ssim-state`, relative to the cwd). */
  baseDir?: string
  /** The local webhook server: 127.0.0.1 and any free port by default. */
  webhook?: { host?: string; port?: number }
  /**
   * Register this installation's webhook at Stark with the local URL once started. Default: yes for
   * emulators without a public URL (`tunnel`, `publicUrl`); no for the real sandbox, which cannot
   * reach 127.0.0.1 (without a public URL it is caught up by polling).
   */
  registerWebhook?: boolean
  /**
   * A public webhook URL through a localtunnel tunnel this runtime opens and heals: `host` is the
   * localtunnel server (default https://localtunnel.me; a self-hosted one works too). Exclusive
   * with `publicUrl`. Either way this installation's webhook follows the public URL (stale ones
   * deleted), a catch-up sweep runs after each reconnection, and changes are journaled
   * (`tunnel.state`) and shown in `status().publicUrl`. Against an emulator, the emulator then
   * delivers through it, as Stark would. start() waits for the first attempt only (up or down,
   * within the setup and probe deadlines); retries go on in the background until stop().
   */
  tunnel?: { host?: string; subdomain?: string }
  /** The user's own public https URL (ngrok, cloudflared, a proxy) to the webhook server: checked and registered, no tunnel. */
  publicUrl?: string
  /** Tuning of the tunnel manager (timings, HTTP client, randomness); tests shorten the waits. */
  publicUrlTuning?: PublicUrlTuning
  /**
   * This installation's id from the user's app-data (secrets/installation-id.ts): tags the public
   * webhook URL so that a state folder that lost its secret still recognises its own webhook.
   */
  webhookOwner?: { installationId: string }
  /** Stark time between catch-up sweeps (the engine's default: 15 minutes). */
  catchUpIntervalMs?: number
  /** Seed for the engine's randomness (sizes, people). */
  seed?: number
  logger?: Logger
  /**
   * Wall clock (lock records, folder records, journal `wall` times, the tunnel's waits): required,
   * given by the composition root (the app, the CLI, a test), so that no runtime module reads it.
   */
  realTime: RealTime
  /**
   * Called once the simulator exists, before it starts, so that a front end can subscribe to the
   * journal without missing what starting writes (late batches, resumed transfers).
   */
  onSimulator?: (simulator: Simulator) => void
  /** Bound of each stop step (default 10 s). */
  stopStepMs?: number
  /** Retries of startup calls, the webhook registration and the final check. */
  retry?: { attempts?: number; firstDelayMs?: number; maxDelayMs?: number }
}

/** What Stark is, for the header and the ready line. */
export interface RuntimeTarget {
  kind: TargetChoice['kind']
  /** One line, e.g. "Embedded emulator" or "Sandbox project 5656…". */
  label: string
  /** The emulator's base URL (known once started for the embedded one); null for the sandbox. */
  emulatorUrl: string | null
  /** The sandbox project, or the project registered at the emulator once started. */
  projectId: string | null
}

export interface Runtime {
  /** idle -> starting -> running -> stopping -> stopped; `failed` when start failed or the lock was lost. */
  readonly phase: RuntimePhase
  /** The facade. Throws `not_running` before start() has created it or after stop(). */
  readonly simulator: Simulator
  readonly target: RuntimeTarget
  /** The state folder in use (absolute), known from creation. */
  readonly stateDir: string
  /** The local webhook URL once started. */
  readonly webhookUrl: string | undefined
  /** Stark's time as the engine sees it (the embedded emulator's own clock); set once started. */
  readonly clock: VirtualClock | undefined
  /** Demo controls; only for the embedded emulator once started (undefined otherwise). */
  readonly emulator: EmulatorControls | undefined
  /** The invoice's Pix QR code and the PDFs, from the connected Stark; set while running. */
  readonly documents: StarkDocuments | undefined
  /**
   * Starts everything. Idempotent: a second call while starting or running returns the same
   * promise. Refused with `not_running` once stopped or failed (create a new runtime). On failure
   * everything already started is stopped again and the AppError is thrown.
   */
  start(): Promise<void>
  /**
   * Lets Stark's time run at the chosen speed, for an embedded emulator chosen with `deferClock`:
   * call it once the run is started or resumed. No-op otherwise.
   */
  startClock(): void
  /** Stops in reverse order, each step bounded. Idempotent; resolves once stopped. */
  stop(): Promise<void>
  /** A plain, serializable picture: phase, target, webhook server, Stark time and speed. */
  status(): RuntimeStatus
  /** Told after every phase change and webhook registration; returns the unsubscribe function. */
  onChange(listener: (status: RuntimeStatus) => void): () => void
  /**
   * Points this installation's Stark webhook at `url` (default: the local server), retrying
   * transient failures; used again whenever a public URL (tunnel) changes.
   */
  registerWebhook(url?: string): Promise<{ id: string; created: boolean; removed: number }>
  /** The run's invariants checked against Stark's own records, retrying transient failures. */
  verify(): Promise<InvariantReport>
  /**
   * Balance, Stark's public key and the webhook list through the SDK, each failure in the user's
   * words. While running, against the connected Stark; a sandbox runtime that is not running (its
   * start failed) connects just for the test when no other runtime holds the SDK.
   */
  testConnection(): Promise<ConnectionReport>
}

/** Creates a runtime; nothing happens until start(). */
export function createRuntime(options: RuntimeOptions): Runtime {
  return createRuntimeImpl(options)
}
