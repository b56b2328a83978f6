/**
 * Preferences (theme, last plan, speed, window bounds) behind one interface. The desktop app keeps
 * them in electron-store; the CLI, the dashboard and the tests use `conf`, the engine under
 * electron-store, on the same file format (`config.json`, one JSON object), so either reads what
 * the other wrote. `import 'electron-store'` loads Electron and throws in plain Node, which is why
 * the store is injected rather than imported here.
 */
import Conf from 'conf'
import { z } from 'zod'
import { prefsSchema } from '../../shared/contract'
import { ENVIRONMENTS, publicUrlChoiceSchema } from '../../shared/environment'
import type { ChoiceStore } from './environments'
import type { PrefsStore, StoredPrefs, WindowBounds } from './ports'

/** The part of conf's (and electron-store's) API the adapter uses. */
export interface KeyValueFile {
  readonly store: Record<string, unknown>
  set(object: Record<string, unknown>): void
  delete(key: string): void
  readonly path: string
}

const boundsSchema = z
  .object({
    x: z.number().int().optional(),
    y: z.number().int().optional(),
    width: z.number().int().min(200).max(20_000),
    height: z.number().int().min(200).max(20_000),
    maximized: z.boolean().optional()
  })
  .strict()

const fields = {
  theme: prefsSchema.shape.theme,
  plan: prefsSchema.shape.plan,
  speed: prefsSchema.shape.speed,
  windowBounds: boundsSchema.optional(),
  environment: z.enum(ENVIRONMENTS).optional(),
  publicUrl: publicUrlChoiceSchema.optional()
}

/**
 * Reads each field on its own: a field someone edited by hand into nonsense falls back to its
 * default, and the others survive.
 */
function readValid(raw: Record<string, unknown>): StoredPrefs {
  const theme = fields.theme.safeParse(raw['theme'])
  const plan = fields.plan.safeParse(raw['plan'])
  const speed = fields.speed.safeParse(raw['speed'])
  const bounds = fields.windowBounds.safeParse(raw['windowBounds'])
  const environment = fields.environment.safeParse(raw['environment'])
  const publicUrl = fields.publicUrl.safeParse(raw['publicUrl'])
  return {
    theme: theme.success ? theme.data : 'system',
    ...(plan.success && plan.data ? { plan: plan.data } : {}),
    ...(speed.success && speed.data !== undefined ? { speed: speed.data } : {}),
    ...(bounds.success && bounds.data ? { windowBounds: bounds.data as WindowBounds } : {}),
    ...(environment.success && environment.data ? { environment: environment.data } : {}),
    ...(publicUrl.success && publicUrl.data ? { publicUrl: publicUrl.data } : {})
  }
}

export function prefsOver(file: KeyValueFile): PrefsStore {
  return {
    path: file.path,
    read: () => readValid(file.store),
    write(patch) {
      const checked: Record<string, unknown> = {}
      for (const [key, value] of Object.entries(patch)) {
        if (!(key in fields)) throw new Error(`unknown preference ${key}`)
        if (value === undefined) {
          file.delete(key)
          continue
        }
        checked[key] = fields[key as keyof typeof fields].parse(value)
      }
      if (Object.keys(checked).length > 0) file.set(checked)
      return readValid(file.store)
    }
  }
}

/** Preferences in `<dir>/config.json` through conf: electron-store's file in its userData. */
export function confPrefs(dir: string): PrefsStore {
  return prefsOver(new Conf<Record<string, unknown>>({ cwd: dir, configName: 'config' }))
}

/** The environment choice kept with the preferences (the desktop's; see environments.ts). */
export function prefsChoice(prefs: PrefsStore): ChoiceStore {
  return {
    read: () => {
      const stored = prefs.read()
      return {
        environment: stored.environment ?? 'emulator',
        publicUrl: stored.publicUrl ?? { mode: 'off' }
      }
    },
    write: ({ environment, publicUrl }) => void prefs.write({ environment, publicUrl })
  }
}

/** The choice in memory only (the dashboard: the CLI's flags decide at the next start). */
export function memoryChoice(initial: ReturnType<ChoiceStore['read']>): ChoiceStore {
  let choice = initial
  return { read: () => choice, write: (next) => void (choice = next) }
}
