/**
 * Per-installation settings that must not change between runs: the random secret path segment of the
 * webhook URL (so a guessed URL cannot even reach the signature check).
 */
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import writeFileAtomic from 'write-file-atomic'

export interface Installation {
  webhookSecret: string
}

export async function loadInstallation(stateDir: string): Promise<Installation> {
  const file = join(stateDir, 'installation.json')
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<Installation>
    if (
      typeof parsed.webhookSecret === 'string' &&
      /^[A-Za-z0-9_-]{16,}$/.test(parsed.webhookSecret)
    ) {
      return { webhookSecret: parsed.webhookSecret }
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(
        `${file} could not be read (${(error as Error).message}). Delete it to make a new webhook secret.`
      )
    }
  }
  const installation = { webhookSecret: randomBytes(18).toString('base64url') }
  await writeFileAtomic(file, JSON.stringify(installation), { mode: 0o600 })
  return installation
}
