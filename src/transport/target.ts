/**
 * SSH targets: what the user typed (`host`, `user@host:port`, `[v6]:port`, an
 * ~/.ssh/config alias) and what it resolves to once the SSH config has been
 * applied as OpenSSH applies it. Resolution is pure file reading: no network.
 */
import {createHash} from 'node:crypto'
import {isIPv6} from 'node:net'
import {homedir, hostname as localHostname, userInfo} from 'node:os'
import {join} from 'node:path'

import {ConfigurationError, InputError, UserError} from '../errors/index.js'
import {type HostKeyPolicy, hostKeyPolicyOf} from './known-hosts.js'
import {evaluateConfig, readConfigLines} from './ssh-config.js'

/** A target as typed, before any config is applied. */
export interface TargetSpec {
  /** The host part as typed (an alias, a name, or an address without brackets). */
  host: string
  user?: string
  port?: number
}

/** A hop or the final host, with everything needed to connect. */
export interface ResolvedTarget {
  /** The name as typed (alias), for messages and pool keys. */
  alias: string
  /** What to connect to (HostName, lower-cased as ssh does). */
  hostname: string
  user: string
  port: number
  /** Candidate private key files, expanded; they may not exist. */
  identityFiles: string[]
  /** Whether identity files came from config or the caller (false: ssh's defaults). */
  identityFilesExplicit: boolean
  identitiesOnly: boolean
  /** Name to look up in known_hosts (HostKeyAlias, else the hostname). */
  hostKeyName: string
  /**
   * The port of that known_hosts name: the target's, except with a
   * HostKeyAlias, which OpenSSH looks up and records as the bare alias
   * (port 22's form) whatever the port — else a key pinned under the alias
   * would not be found, and accept-new would record another.
   */
  hostKeyPort: number
  /** The known_hosts files and host-key policy the SSH config gives this host (OpenSSH's defaults when it gives none). */
  hostKeys: ConfiguredHostKeys
  /** Jump hosts in order (first is connected directly); empty for none. */
  proxyJump: ResolvedTarget[]
  /** Non-fatal notes from config evaluation. */
  warnings: string[]
}

export interface ConfiguredHostKeys {
  /** UserKnownHostsFile, expanded: all are read, the first is where new keys are recorded; empty for `none`. */
  userFiles: string[]
  /** GlobalKnownHostsFile: read only, taken literally as ssh does. */
  globalFiles: string[]
  /** StrictHostKeyChecking as tk applies it; undefined when the config does not set it. */
  policy?: HostKeyPolicy
}

export const DEFAULT_USER_KNOWN_HOSTS_FILES = ['~/.ssh/known_hosts', '~/.ssh/known_hosts2']
export const DEFAULT_GLOBAL_KNOWN_HOSTS_FILES = ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2']

export interface ResolveOptions {
  /** SSH client config file. Default: $TK_SSH_CONFIG, else ~/.ssh/config. */
  sshConfigPath?: string
  /** Identity files given on the command line; they come before any IdentityFile from config. */
  identityFiles?: string[]
  /** Home directory for ~ and %d. Default: os.homedir(). */
  homeDir?: string
  /** Local user name for %u and the default user. Default: os.userInfo().username. */
  localUser?: string
  env?: NodeJS.ProcessEnv
}

/** The default keys tried when neither the caller nor the config names one. */
export const DEFAULT_IDENTITY_FILES = ['~/.ssh/id_ed25519', '~/.ssh/id_ecdsa', '~/.ssh/id_rsa']

const HOST_NAME = /^[A-Za-z0-9_]([A-Za-z0-9._-]*[A-Za-z0-9_])?$/
const USER_NAME = /^[^\s:/'"`$;\\[\]]+$/

function invalid(text: string, why: string): UserError {
  return new InputError(`Invalid target "${text}": ${why}`, {
    hint: 'Targets look like host, user@host, user@host:port, [2001:db8::1]:port or an alias from ~/.ssh/config.',
  })
}

function parsePort(text: string, raw: string): number {
  if (!/^\d{1,5}$/.test(raw)) throw invalid(text, `port "${raw}" is not a number`)
  const port = Number(raw)
  if (port < 1 || port > 65535) throw invalid(text, `port ${port} is outside 1-65535`)
  return port
}

/** Parses `host`, `user@host`, `user@host:port`, `[v6]:port`, `user@[v6]:port` or a bare IPv6 address. */
export function parseTarget(text: string): TargetSpec {
  const input = text.trim()
  if (input === '') throw invalid(text, 'it is empty')
  if (/\s/.test(input)) throw invalid(text, 'it contains whitespace')
  let user: string | undefined
  let rest = input
  // Like ssh, the user ends at the last '@' (user names may contain '@').
  const at = input.lastIndexOf('@')
  if (at !== -1) {
    user = input.slice(0, at)
    rest = input.slice(at + 1)
    if (user === '') throw invalid(text, 'the user before "@" is empty')
    if (!USER_NAME.test(user)) throw invalid(text, `user "${user}" contains characters a user name cannot have`)
  }
  let host: string
  let port: number | undefined
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']')
    if (close === -1) throw invalid(text, 'missing "]" after the IPv6 address')
    host = rest.slice(1, close)
    const after = rest.slice(close + 1)
    if (after !== '') {
      if (!after.startsWith(':')) throw invalid(text, `unexpected "${after}" after "]"`)
      port = parsePort(text, after.slice(1))
    }
    if (!isIPv6(host.replace(/%[A-Za-z0-9_.-]+$/, '')) && !HOST_NAME.test(host)) throw invalid(text, `"${host}" is not an IPv6 address`)
  } else if ((rest.match(/:/g) ?? []).length >= 2) {
    // Several colons without brackets: the whole thing must be an IPv6 address, and carries no port.
    host = rest
    if (!isIPv6(host.replace(/%[A-Za-z0-9_.-]+$/, ''))) throw invalid(text, `"${host}" is not an IPv6 address (write [address]:port to give a port)`)
  } else {
    const colon = rest.indexOf(':')
    host = colon === -1 ? rest : rest.slice(0, colon)
    if (colon !== -1) port = parsePort(text, rest.slice(colon + 1))
    if (host === '') throw invalid(text, 'the host is empty')
    if (!HOST_NAME.test(host)) throw invalid(text, `"${host}" is not a valid host name (letters, digits, ".", "-", "_")`)
  }
  if (host === '') throw invalid(text, 'the host is empty')
  return {host, ...(user === undefined ? {} : {user}), ...(port === undefined ? {} : {port})}
}

/** Formats a target as tk names it in messages: user@host:port, brackets for IPv6. */
export function formatTarget(target: {user?: string; hostname: string; port: number}): string {
  const host = target.hostname.includes(':') ? `[${target.hostname}]` : target.hostname
  return `${target.user ? `${target.user}@` : ''}${host}${target.port === 22 ? '' : `:${target.port}`}`
}

/** Expands ssh's % tokens (as far as tk knows them) and a leading ~; with `env`, ${VAR} too (an unset one is refused, as ssh does). */
export function expandTokens(value: string, tokens: Record<string, string>, home: string, env?: NodeJS.ProcessEnv): string {
  let out = value
  if (env) {
    out = out.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_whole, name: string) => {
      const found = env[name]
      if (found === undefined) throw new ConfigurationError(`SSH config: \${${name}} in "${value}" is not set in the environment`)
      return found
    })
  }
  out = out.replace(/%(.)/g, (whole, key: string) => (key === '%' ? '%' : tokens[key] ?? whole))
  if (out === '~') out = home
  else if (out.startsWith('~/')) out = join(home, out.slice(2))
  return out
}

export function defaultSshConfigPath(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  return env.TK_SSH_CONFIG || join(home, '.ssh', 'config')
}

function localUserName(): string {
  try {
    return userInfo().username
  } catch {
    return process.env.USER ?? 'root'
  }
}

/**
 * Resolves a target against the SSH config. Explicit user and port in the target
 * win over the config; identity files from the caller come first.
 */
export function resolveTarget(target: string | TargetSpec, options: ResolveOptions = {}): ResolvedTarget {
  const spec = typeof target === 'string' ? parseTarget(target) : target
  const env = options.env ?? process.env
  const home = options.homeDir ?? homedir()
  const localUser = options.localUser ?? localUserName()
  const configPath = options.sshConfigPath ?? defaultSshConfigPath(env, home)
  const lines = readConfigLines(configPath, home)
  return resolveWithLines(spec, lines, {...options, homeDir: home, localUser}, 0)
}

function resolveWithLines(
  spec: TargetSpec,
  lines: ReturnType<typeof readConfigLines>,
  options: ResolveOptions & {homeDir: string; localUser: string},
  depth: number,
): ResolvedTarget {
  const home = options.homeDir
  const config = evaluateConfig(lines, {host: spec.host, user: spec.user, localUser: options.localUser})
  const hostname = (config.hostname ? expandTokens(config.hostname, {h: spec.host}, home) : spec.host).toLowerCase()
  const user = spec.user ?? config.user ?? options.localUser
  let port = spec.port
  if (port === undefined && config.port !== undefined) {
    if (!/^\d+$/.test(config.port) || Number(config.port) < 1 || Number(config.port) > 65535) {
      throw new ConfigurationError(`SSH config: Port "${config.port}" for ${spec.host} is not a valid port`)
    }
    port = Number(config.port)
  }
  port ??= 22
  const tokens: Record<string, string> = {
    h: hostname,
    r: user,
    p: String(port),
    u: options.localUser,
    d: home,
    n: spec.host,
    l: localHostname(),
    L: localHostname().split('.')[0],
    i: String(process.getuid?.() ?? ''),
    k: config.hostkeyalias ?? spec.host,
  }
  // %C as OpenSSH 9 computes it without a jump host: SHA-1 of %l%h%p%r.
  tokens.C = createHash('sha1').update(`${tokens.l}${hostname}${port}${user}`).digest('hex')
  const explicit = options.identityFiles ?? []
  const configured = [...explicit, ...config.identityfile]
  const identityFilesExplicit = configured.length > 0
  const identityFiles = (identityFilesExplicit ? configured : DEFAULT_IDENTITY_FILES).map((file) => expandTokens(file, tokens, home))
  const userFiles = config.userknownhostsfile ?? DEFAULT_USER_KNOWN_HOSTS_FILES
  const hostKeys: ConfiguredHostKeys = {
    userFiles: userFiles.length === 1 && userFiles[0].toLowerCase() === 'none' ? [] : userFiles.map((file) => expandTokens(file, tokens, home, options.env ?? process.env)),
    globalFiles: config.globalknownhostsfile ?? DEFAULT_GLOBAL_KNOWN_HOSTS_FILES,
  }
  if (config.stricthostkeychecking !== undefined) hostKeys.policy = hostKeyPolicyOf(config.stricthostkeychecking, spec.host)
  const proxyJump: ResolvedTarget[] = []
  const jump = config.proxyjump
  if (depth === 0 && jump !== undefined && jump.toLowerCase() !== 'none') {
    for (const hop of jump.split(',')) {
      const text = hop.trim().replace(/^ssh:\/\//, '')
      // Jump hosts are resolved through the same config; their own ProxyJump is not followed (see docs/ssh.md).
      proxyJump.push(resolveWithLines(parseTarget(text), lines, {...options, identityFiles: undefined}, depth + 1))
    }
  }
  return {
    alias: spec.host,
    hostname,
    user,
    port,
    identityFiles: [...new Set(identityFiles)],
    identityFilesExplicit,
    identitiesOnly: (config.identitiesonly ?? 'no').toLowerCase() === 'yes',
    hostKeyName: (config.hostkeyalias ?? hostname).toLowerCase(),
    hostKeyPort: config.hostkeyalias === undefined ? port : 22,
    hostKeys,
    proxyJump,
    warnings: config.warnings,
  }
}
