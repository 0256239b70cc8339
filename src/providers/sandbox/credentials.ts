/**
 * The keys a sandbox owns. Users: `admin` (key login, passwordless sudo) and
 * `op` (key login, sudo asks for a password), one ed25519 key pair each and
 * op's password, generated once per sandbox home and kept in it. Machines:
 * a fresh ed25519 host key per machine, generated here so that tk knows it
 * before the machine first answers and can pin it in known_hosts.
 */
import {execFile} from 'node:child_process'
import {createHash, randomBytes} from 'node:crypto'
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {promisify} from 'node:util'

import type {SandboxHome} from './home.js'

const run = promisify(execFile)

export type SandboxUser = 'admin' | 'op'
export const SANDBOX_USERS: readonly SandboxUser[] = ['admin', 'op']

/** Fixed ids, so files copied into machines can carry the right owner. */
export const USER_IDS: Record<SandboxUser, number> = {admin: 1000, op: 1001}

export interface KeyPair {
  /** OpenSSH private key file content. */
  privateKey: string
  /** "ssh-ed25519 AAAA... comment" */
  publicKey: string
}

export interface SandboxCredentials {
  users: Record<SandboxUser, {identityFile: string; publicKey: string}>
  /** op's sudo password. */
  opPassword: string
  /** Changes when any key or the password changes: images carry it as a label. */
  digest: string
}

/** A new ed25519 key pair, made by ssh-keygen in a private temporary directory. */
export async function generateKeyPair(comment: string, tmpRoot: string): Promise<KeyPair> {
  await mkdir(tmpRoot, {recursive: true, mode: 0o700})
  const dir = await mkdtemp(join(tmpRoot, 'key-'))
  try {
    const file = join(dir, 'key')
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file])
    const [privateKey, publicKey] = await Promise.all([readFile(file, 'utf8'), readFile(`${file}.pub`, 'utf8')])
    return {privateKey, publicKey: publicKey.trim()}
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

/** The sandbox's user keys and op's password, created on first use. */
export async function loadCredentials(home: SandboxHome): Promise<SandboxCredentials> {
  await mkdir(home.keysDir, {recursive: true, mode: 0o700})
  const users = {} as SandboxCredentials['users']
  for (const user of SANDBOX_USERS) {
    const identityFile = join(home.keysDir, `${user}_ed25519`)
    let publicKey = await readIfPresent(`${identityFile}.pub`)
    if (publicKey === undefined || (await readIfPresent(identityFile)) === undefined) {
      const pair = await generateKeyPair(`${user}@tk-sandbox`, join(home.keysDir, '.tmp'))
      await writeFile(identityFile, pair.privateKey, {mode: 0o600})
      await writeFile(`${identityFile}.pub`, `${pair.publicKey}\n`, {mode: 0o644})
      publicKey = pair.publicKey
    }
    users[user] = {identityFile, publicKey: publicKey.trim()}
  }
  const passwordFile = join(home.keysDir, 'op.password')
  let opPassword = (await readIfPresent(passwordFile))?.trim()
  if (!opPassword) {
    opPassword = randomBytes(12).toString('base64url')
    await writeFile(passwordFile, `${opPassword}\n`, {mode: 0o600})
  }
  const digest = createHash('sha256').update(users.admin.publicKey).update('\0').update(users.op.publicKey).update('\0').update(opPassword).digest('hex').slice(0, 16)
  return {users, opPassword, digest}
}
