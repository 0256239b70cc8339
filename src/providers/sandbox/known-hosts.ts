/**
 * The sandbox's own known_hosts file. tk makes every machine's host key, so
 * it writes the key here before the machine answers, and connections to
 * sandboxes check keys strictly without touching ~/.ssh/known_hosts. One line
 * per published port: a machine re-created on a port replaces the old line.
 */
import {readFile, rename, writeFile} from 'node:fs/promises'

import {withFileLock} from '../../transport/file-lock.js'

export const SANDBOX_SSH_HOST = '127.0.0.1'

export function knownHostsName(port: number): string {
  return `[${SANDBOX_SSH_HOST}]:${port}`
}

// Machines start in parallel; their updates are applied one after another: within this
// process by a queue, between processes (test runs, tk commands side by side) by a lock
// beside the file, without which one's rewrite can drop a line another just added.
let queue: Promise<unknown> = Promise.resolve()

function serialized<T>(work: () => Promise<T>): Promise<T> {
  const next = queue.then(work, work)
  queue = next.catch(() => {})
  return next
}

function rewrite(file: string, change: (lines: string[]) => string[]): Promise<void> {
  return withFileLock(file, () => rewriteLocked(file, change))
}

async function rewriteLocked(file: string, change: (lines: string[]) => string[]): Promise<void> {
  let text = ''
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  const lines = change(text.split('\n').filter((line) => line.trim() !== ''))
  const temporary = `${file}.tk-${process.pid}`
  await writeFile(temporary, lines.length > 0 ? `${lines.join('\n')}\n` : '', {mode: 0o644})
  await rename(temporary, file)
}

const forName = (name: string) => (line: string) => line.split(/\s+/)[0] === name
const forPort = (port: number) => forName(knownHostsName(port))

/** Records `publicKey` ("ssh-ed25519 AAAA...") as the only key of the port. */
export function recordHostKey(file: string, port: number, publicKey: string): Promise<void> {
  return recordNamedHostKey(file, knownHostsName(port), publicKey)
}

/** Records `publicKey` as the only key of a known_hosts name (an OpenSSH HostKeyAlias, say). */
export function recordNamedHostKey(file: string, name: string, publicKey: string): Promise<void> {
  const [type, key] = publicKey.trim().split(/\s+/)
  return serialized(() => rewrite(file, (lines) => [...lines.filter((line) => !forName(name)(line)), `${name} ${type} ${key}`]))
}

export function forgetHostKey(file: string, port: number): Promise<void> {
  return serialized(() => rewrite(file, (lines) => lines.filter((line) => !forPort(port)(line))))
}

/** The keys recorded for a port, as "type base64" strings. */
export async function recordedHostKeys(file: string, port: number): Promise<string[]> {
  let text = ''
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  return text
    .split('\n')
    .filter(forPort(port))
    .map((line) => line.split(/\s+/).slice(1, 3).join(' '))
}
