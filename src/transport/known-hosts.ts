/**
 * OpenSSH known_hosts: parsing (plain, comma lists, [host]:port, hashed |1|
 * entries, negation, wildcards, @revoked and @cert-authority), lookup of the
 * keys recorded for a host, and the verdict on a key a server presents. The
 * policy for unknown keys and the appending of new entries live here too.
 */
import {createHash, createHmac} from 'node:crypto'
import {constants} from 'node:fs'
import {mkdir, open, readFile, readlink} from 'node:fs/promises'
import {dirname, resolve} from 'node:path'


import {ConfigurationError, HostKeyError, UserError} from '../errors/index.js'
import {withFileLock} from './file-lock.js'
import {globMatch} from './ssh-config.js'

export type HostKeyPolicy = 'strict' | 'accept-new' | 'off'
export const HOST_KEY_POLICIES: readonly HostKeyPolicy[] = ['strict', 'accept-new', 'off']
export const DEFAULT_HOST_KEY_POLICY: HostKeyPolicy = 'accept-new'

/**
 * StrictHostKeyChecking from an SSH config, as tk applies it. `yes` is
 * strict. `ask` is strict too: tk works on many hosts at once and does not
 * stop to ask about a fingerprint. `no`/`off` is accept-new: like OpenSSH, tk
 * records an unknown key, but it never connects to a host whose key changed
 * (OpenSSH's `no` does, with password logins disabled); tk's own `off`
 * (--host-key-policy) is the only way to accept a key without recording it.
 */
export function hostKeyPolicyOf(value: string, host: string): HostKeyPolicy {
  switch (value.toLowerCase()) {
    case 'yes':
    case 'true':
    case 'ask':
      return 'strict'
    case 'accept-new':
    case 'no':
    case 'off':
    case 'false':
      return 'accept-new'
    default:
      throw new ConfigurationError(`SSH config: StrictHostKeyChecking "${value}" for ${host} is not yes, accept-new, no, off or ask`)
  }
}

export interface KnownHostEntry {
  file: string
  line: number
  marker?: 'revoked' | 'cert-authority'
  /** Host patterns (plain entries) or the salt and hash of a hashed entry. */
  hosts: {patterns: string[]} | {salt: Buffer; hash: Buffer}
  keyType: string
  key: Buffer
}

/** OpenSSH's fingerprint format: SHA256: and unpadded base64. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`
}

/** The key type named inside an SSH wire-format public key blob. */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return 'unknown'
  const length = key.readUInt32BE(0)
  if (length > 64 || key.length < 4 + length) return 'unknown'
  return key.subarray(4, 4 + length).toString('latin1')
}

/** The name a host has in known_hosts: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  const name = host.toLowerCase()
  return port === 22 ? name : `[${name}]:${port}`
}

export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = []
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const fields = line.split(/\s+/)
    let marker: KnownHostEntry['marker']
    if (fields[0].startsWith('@')) {
      const name = fields.shift()!
      if (name === '@revoked') marker = 'revoked'
      else if (name === '@cert-authority') marker = 'cert-authority'
      else return // an unknown marker: ssh ignores the line
    }
    if (fields.length < 3) return
    const [hostField, keyType, base64] = fields
    const key = Buffer.from(base64, 'base64')
    if (key.length === 0 || keyTypeOf(key) !== keyType) return // not a key line ssh would use
    let hosts: KnownHostEntry['hosts']
    if (hostField.startsWith('|1|')) {
      const [, , salt, hash] = hostField.split('|')
      if (!salt || !hash) return
      hosts = {salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64')}
    } else {
      hosts = {patterns: hostField.split(',').filter(Boolean)}
    }
    entries.push({file, line: index + 1, ...(marker ? {marker} : {}), hosts, keyType, key})
  })
  return entries
}

/** Whether an entry's host field names `name` (a knownHostsName). */
export function entryMatchesName(entry: KnownHostEntry, name: string): boolean {
  const hosts = entry.hosts
  if ('salt' in hosts) {
    return createHmac('sha1', hosts.salt).update(name).digest().equals(hosts.hash)
  }
  let matched = false
  for (const pattern of hosts.patterns) {
    const lower = pattern.toLowerCase()
    if (lower.startsWith('!')) {
      if (globMatch(lower.slice(1), name)) return false
    } else if (globMatch(lower, name)) matched = true
  }
  return matched
}

export type HostKeyVerdict =
  | {status: 'match'; entry: KnownHostEntry}
  | {status: 'mismatch'; entries: KnownHostEntry[]}
  | {status: 'revoked'; entry: KnownHostEntry}
  /** No plain key recorded, but a @cert-authority line names the host: tk cannot check its certificate. */
  | {status: 'certificate-only'; entry: KnownHostEntry}
  | {status: 'unknown'}

export class KnownHosts {
  constructor(readonly entries: KnownHostEntry[]) {}

  /** Loads the files that exist; a missing file is simply empty. */
  static async load(files: string[]): Promise<KnownHosts> {
    const entries: KnownHostEntry[] = []
    for (const file of files) {
      let text: string
      try {
        text = await readFile(file, 'utf8')
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        if (code === 'ENOENT' || code === 'ENOTDIR') continue
        throw new HostKeyError(`Cannot read known hosts file ${file}: ${(error as Error).message}`)
      }
      entries.push(...parseKnownHosts(text, file))
    }
    return new KnownHosts(entries)
  }

  /** Plain (non-marker) keys recorded for the host and port. */
  lookup(host: string, port: number): KnownHostEntry[] {
    const name = knownHostsName(host, port)
    return this.entries.filter((entry) => entry.marker === undefined && entryMatchesName(entry, name))
  }

  /** Key types recorded for the host, for ordering the server host key algorithms. */
  knownKeyTypes(host: string, port: number): string[] {
    return [...new Set(this.lookup(host, port).map((entry) => entry.keyType))]
  }

  verify(host: string, port: number, key: Buffer): HostKeyVerdict {
    const name = knownHostsName(host, port)
    const revoked = this.entries.find((entry) => entry.marker === 'revoked' && entry.key.equals(key) && entryMatchesName(entry, name))
    if (revoked) return {status: 'revoked', entry: revoked}
    const recorded = this.lookup(host, port)
    const same = recorded.find((entry) => entry.key.equals(key))
    if (same) return {status: 'match', entry: same}
    // Any recorded key for this host that is not the presented one means the host is known and its key changed.
    // (tk offers the server only the key types it has on record, so a different type is a change too.)
    if (recorded.length > 0) return {status: 'mismatch', entries: recorded}
    const authority = this.entries.find((entry) => entry.marker === 'cert-authority' && entryMatchesName(entry, name))
    if (authority) return {status: 'certificate-only', entry: authority}
    return {status: 'unknown'}
  }
}

/** The known_hosts line tk writes for a host: plain name, `[host]:port` off port 22. */
export function knownHostsLine(host: string, port: number, key: Buffer): string {
  return `${knownHostsName(host, port)} ${keyTypeOf(key)} ${key.toString('base64')}`
}

/**
 * Where writes to `file` go: through a symlink to its target (resolved even
 * when the target does not exist yet), so a linked ~/.ssh/known_hosts stays a link.
 */
async function writeTarget(file: string): Promise<string> {
  let path = resolve(file)
  for (let hops = 0; hops < 40; hops++) {
    let link: string
    try {
      link = await readlink(path)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EINVAL' || code === 'ENOENT') return path // not a link, or nothing there yet
      throw error
    }
    path = resolve(dirname(path), link)
  }
  throw new Error(`${file}: too many levels of symbolic links`)
}

// Within one process, appends queue here rather than spinning on the file lock.
let appendQueue: Promise<unknown> = Promise.resolve()

/**
 * Appends a host's entry to a known_hosts file as OpenSSH does: opened for
 * O_APPEND (through a symlink) and written in one write() call, so nothing
 * another writer appended meanwhile is lost. Other tk processes are kept out
 * by a lock beside the file while tk looks at the file's last byte and at
 * whether the host was recorded meanwhile: an entry recorded by another
 * process is not written twice, and a different key recorded for the host
 * meanwhile is a changed key (refused). ~/.ssh is created 0700, a new file 0600.
 */
export function appendKnownHost(file: string, host: string, port: number, key: Buffer): Promise<'appended' | 'present'> {
  const task = appendQueue.then(async () => {
    const target = await writeTarget(file)
    await mkdir(dirname(target), {recursive: true, mode: 0o700})
    return withFileLock(target, async () => {
      const handle = await open(target, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT, 0o600)
      try {
        const current = await handle.readFile('utf8')
        const name = knownHostsName(host, port)
        const recorded = parseKnownHosts(current, file).filter((entry) => entry.marker === undefined && entryMatchesName(entry, name))
        if (recorded.some((entry) => entry.key.equals(key))) return 'present' as const
        if (recorded.length > 0) {
          const old = recorded[0]
          throw new HostKeyError(
            `HOST KEY CHANGED for ${name} while tk was connecting: ${old.file}:${old.line} now records ${old.keyType} ${fingerprint(old.key)}, not the ${keyTypeOf(key)} ${fingerprint(key)} presented; refusing to connect`,
          )
        }
        const separator = current === '' || current.endsWith('\n') ? '' : '\n'
        const bytes = Buffer.from(`${separator}${knownHostsLine(host, port, key)}\n`)
        const {bytesWritten} = await handle.write(bytes)
        if (bytesWritten !== bytes.length) throw new Error(`short write (${bytesWritten} of ${bytes.length} bytes)`)
        await handle.sync()
        return 'appended' as const
      } finally {
        await handle.close()
      }
    })
  })
  appendQueue = task.catch(() => {})
  return task
}

export interface HostKeyCheckOptions {
  policy: HostKeyPolicy
  /** The user's file that accept-new writes (the first UserKnownHostsFile); undefined for `UserKnownHostsFile none`. */
  userFile?: string
  globalFiles: string[]
  onWarning: (message: string) => void
}

/** What the verifier decided, kept so the connection can throw the right error after ssh2 aborts. */
export interface HostKeyOutcome {
  accepted: boolean
  error?: UserError
  /** Set when accept-new recorded the key. */
  recorded?: string
}

/** The host-key decision for one connection attempt: checks, applies the policy, and records new keys. */
export async function checkHostKey(
  displayName: string,
  lookupHost: string,
  port: number,
  key: Buffer,
  knownHosts: KnownHosts,
  options: HostKeyCheckOptions,
): Promise<HostKeyOutcome> {
  const presented = fingerprint(key)
  const verdict = knownHosts.verify(lookupHost, port, key)
  switch (verdict.status) {
    case 'match':
      return {accepted: true}
    case 'revoked':
      return {
        accepted: false,
        error: new HostKeyError(
          `Host key for ${displayName} (${keyTypeOf(key)} ${presented}) is marked @revoked in ${verdict.entry.file}:${verdict.entry.line}; refusing to connect`,
        ),
      }
    case 'mismatch': {
      const old = verdict.entries[0]
      return {
        accepted: false,
        error: new HostKeyError(
          `HOST KEY CHANGED for ${displayName}: it presented ${keyTypeOf(key)} ${presented}, but ${old.file}:${old.line} records ${old.keyType} ${fingerprint(old.key)}; refusing to connect`,
          {
            hint: `If the host was really reinstalled, verify the new fingerprint out of band, then remove the old entry: ssh-keygen -R '${knownHostsName(lookupHost, port)}' -f ${old.file}`,
          },
        ),
      }
    }
    case 'certificate-only':
      // Whatever the policy: a CA-managed host is one whose keys are meant to be checked, not trusted on first use.
      return {
        accepted: false,
        error: new HostKeyError(
          `${displayName} is certified by the host CA in ${verdict.entry.file}:${verdict.entry.line} (@cert-authority), which tk cannot check, and its own key ${keyTypeOf(key)} ${presented} is not pinned; refusing to connect`,
          {hint: `Verify the fingerprint, then pin the host's key in ${options.userFile ?? 'a known_hosts file'} (e.g. from a verified ssh-keyscan)`},
        ),
      }
    case 'unknown':
      break
  }
  if (options.policy === 'strict') {
    return {
      accepted: false,
      error: new HostKeyError(`Host key for ${displayName} is not known (${keyTypeOf(key)} ${presented}) and the host key policy is strict`, {
        hint: `Verify the fingerprint, then add the key to ${options.userFile ?? 'a known_hosts file'} (e.g. ssh-keyscan), or use --host-key-policy accept-new`,
      }),
    }
  }
  if (options.userFile === undefined) {
    options.onWarning(
      `WARNING: accepting the unverified key ${keyTypeOf(key)} ${presented} for ${displayName} without recording it: UserKnownHostsFile is none, so there is nowhere to record it.`,
    )
    return {accepted: true}
  }
  const userFile = options.userFile
  if (options.policy === 'off') {
    options.onWarning(
      `WARNING: host key checking is OFF: accepting the unverified key ${keyTypeOf(key)} ${presented} for ${displayName} without recording it. Anyone on the network path could be impersonating this host.`,
    )
    return {accepted: true}
  }
  let written: 'appended' | 'present'
  try {
    written = await appendKnownHost(userFile, lookupHost, port, key)
  } catch (error) {
    return {
      accepted: false,
      error: error instanceof HostKeyError ? error : new HostKeyError(`Cannot record the new host key for ${displayName} in ${userFile}: ${(error as Error).message}`),
    }
  }
  // Keep the in-memory view current so a second connection in this process is checked against it.
  knownHosts.entries.push({file: userFile, line: 0, hosts: {patterns: [knownHostsName(lookupHost, port)]}, keyType: keyTypeOf(key), key})
  if (written === 'appended') options.onWarning(`Recorded new host key for ${displayName} (${keyTypeOf(key)} ${presented}) in ${userFile}`)
  return {accepted: true, recorded: userFile}
}
