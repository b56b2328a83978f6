/**
 * `npm run -s keys -- new [--out privateKey.pem]`: a secp256k1 key pair for a Stark sandbox
 * project, without OpenSSL (Windows has none by default). Writes the private key (owner-only) and
 * the public key beside it, prints the public key and what to do with it. `npm run -s keys --
 * public privateKey.pem` prints the public key of a key you already have (PKCS#8 or SEC1).
 */
import { existsSync } from 'node:fs'
import { chmod, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { fingerprintOf, generateKeyPair, readKeyFile } from '../main/stark/keys'

const USAGE = `Usage:
  npm run -s keys -- new [--out FILE] [--force]   make a key pair (default ./privateKey.pem + ./publicKey.pem)
  npm run -s keys -- public FILE                  print the public key of a private key file`

const STEPS = (privateFile: string): string => `
Next:
  1. Open the Stark sandbox web console (https://sandbox.web.starkbank.com), menu Integrations,
     and create a project: paste the public key above.
  2. Note the project id Stark shows, then run the trial against it:
     npm run -s headless -- --sandbox --project-id <id> --private-key ${privateFile} --tunnel
     (or, in the desktop app: Sandbox panel, Load key file..., Project id, then Sandbox.)
Keep ${privateFile} to yourself: only the public key goes to Stark.`

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false }
    }
  })
  const [command, file] = positionals
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`)
    return values.help ? 0 : 2
  }
  if (command === 'public') {
    if (!file) {
      process.stderr.write(`keys: public needs the private key file.\n${USAGE}\n`)
      return 2
    }
    const key = await readKeyFile(file)
    process.stdout.write(`${key.publicPem}`)
    process.stderr.write(`fingerprint ${key.fingerprint}\n`)
    return 0
  }
  if (command !== 'new') {
    process.stderr.write(`keys: unknown command "${command}".\n${USAGE}\n`)
    return 2
  }
  const privateFile = resolve(values.out ?? 'privateKey.pem')
  const publicFile = join(dirname(privateFile), 'publicKey.pem')
  const taken = values.force ? undefined : [privateFile, publicFile].find((f) => existsSync(f))
  if (taken) {
    process.stderr.write(
      `keys: ${taken} already exists: a project may use it. Choose another --out, or add --force to replace it.\n`
    )
    return 1
  }
  const pair = generateKeyPair()
  try {
    // `wx`: an existing file is never overwritten unless --force (checked by the write itself, so
    // nothing can slip in between); the mode is set again, as a replaced file keeps its old one.
    const flag = values.force ? 'w' : 'wx'
    await writeFile(privateFile, pair.privatePem, { mode: 0o600, flag })
    await chmod(privateFile, 0o600)
    await writeFile(publicFile, pair.publicPem, { flag })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    process.stderr.write(
      `keys: ${(error as NodeJS.ErrnoException).path ?? privateFile} already exists: a project may use it. Choose another --out, or add --force to replace it.\n`
    )
    return 1
  }
  process.stdout.write(pair.publicPem)
  process.stderr.write(
    `wrote ${privateFile} (private, owner-only) and ${publicFile}; fingerprint ${fingerprintOf(pair.publicPem)}\n${STEPS(privateFile)}\n`
  )
  return 0
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error)
    const usage = String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')
    process.stderr.write(`keys: ${message}\n${usage ? `${USAGE}\n` : ''}`)
    process.exit(usage ? 2 : 1)
  }
)
