/**
 * Command-line targets -> hosts. Each argument is a host name from tk.yml, a
 * group (@web, or the bare group name), @all, or a raw SSH target
 * (user@host:port, [v6]:port, an address, an ~/.ssh/config alias) passed
 * through unchanged for the transport to parse. A bare word that is not in
 * tk.yml is refused when a tk.yml exists, with the names it knows: a typo
 * should not become an SSH connection attempt to a host of that name.
 */
import {InputError, UserError} from '../errors/index.js'
import {didYouMean} from '../config/errors.js'
import type {HostConfig, ProviderName, Release, SshOptions, TkConfig} from '../config/types.js'

/** One host to work on. Plain data: the transport and the sandbox provider take it from here. */
export interface Target {
  /** The tk.yml host name, or for a raw target the text as typed. */
  name: string
  /** True when the argument was not a tk.yml name: `address` is then the text as typed, user, port and all. */
  raw: boolean
  /** For tk.yml hosts: a DNS name, IP address or ~/.ssh/config alias (the name when none is given). */
  address: string
  user?: string
  port?: number
  /** As written in tk.yml (~ unexpanded). */
  identityFile?: string
  groups: string[]
  provider: ProviderName
  /** Sandbox hosts only. */
  release?: Release
  /** tk.yml's SSH settings for this host (the file-wide ones for raw targets); unset means the transport's default. */
  sshOptions: SshOptions
  /** The whole resolved tk.yml host (engine, provisioners); undefined for raw targets. */
  host?: HostConfig
  /** The tk.yml the host comes from (a sandbox machine is that file's); undefined for raw targets. */
  configFile?: string
}

/** The group that selects every host in tk.yml. */
export const ALL_HOSTS = '@all'

/** A bare word (no "@", ".", ":" or brackets): a name, not an address or user@host. */
export function looksLikeName(text: string): boolean {
  return text !== '' && !/[@.:[\]/\s]/.test(text)
}

export function hostTarget(host: HostConfig, configFile?: string): Target {
  return {
    name: host.name,
    raw: false,
    address: host.address,
    ...(host.user === undefined ? {} : {user: host.user}),
    ...(host.port === undefined ? {} : {port: host.port}),
    ...(host.identityFile === undefined ? {} : {identityFile: host.identityFile}),
    groups: host.groups,
    provider: host.provider,
    ...(host.release === undefined ? {} : {release: host.release}),
    sshOptions: host.ssh,
    host,
    ...(configFile === undefined ? {} : {configFile}),
  }
}

export function rawTarget(text: string, config?: TkConfig): Target {
  const sshOptions: SshOptions = {}
  if (config?.ssh.hostKeyPolicy !== undefined) sshOptions.hostKeyPolicy = config.ssh.hostKeyPolicy
  if (config?.ssh.connectTimeout !== undefined) sshOptions.connectTimeout = config.ssh.connectTimeout
  return {name: text, raw: true, address: text, groups: [], provider: 'ssh', sshOptions}
}

/** Every host in tk.yml, in file order (what @all selects). */
export function allTargets(config: TkConfig): Target[] {
  return config.hosts.map((host) => hostTarget(host, config.file))
}

/**
 * Resolves command-line arguments to hosts, in the order given, each host
 * once. `config` is undefined when there is no tk.yml: then every argument
 * is raw, and @group is an error. Throws a UserError (exit INPUT) for an
 * unknown name or group.
 */
export function resolveTargets(config: TkConfig | undefined, args: readonly string[]): Target[] {
  const targets: Target[] = []
  const seen = new Set<string>()
  const add = (key: string, make: () => Target) => {
    if (seen.has(key)) return
    seen.add(key)
    targets.push(make())
  }
  const byName = new Map(config?.hosts.map((host) => [host.name, host]))
  const addHosts = (names: readonly string[]) => {
    for (const name of names) add(`host:${name}`, () => hostTarget(byName.get(name)!, config!.file))
  }

  for (const arg of args) {
    if (arg.startsWith('@') && !arg.slice(1).includes('@') && looksLikeName(arg.slice(1))) {
      if (!config) throw new InputError(`"${arg}" names a group, but there is no tk.yml here or above`, {hint: 'run in the directory of your tk.yml, or name it with --config PATH'})
      if (arg === ALL_HOSTS) addHosts(config.hosts.map((host) => host.name))
      else {
        const members = config.groups.get(arg.slice(1))
        if (!members) throw unknown(config, arg, 'group')
        addHosts(members)
      }
      continue
    }
    if (config && byName.has(arg)) {
      addHosts([arg])
      continue
    }
    const members = config?.groups.get(arg)
    if (members) {
      addHosts(members)
      continue
    }
    if (config && looksLikeName(arg)) throw unknown(config, arg, 'host or group')
    add(`raw:${arg}`, () => rawTarget(arg, config))
  }
  return targets
}

const LIST_LIMIT = 12

function unknown(config: TkConfig, arg: string, what: string): UserError {
  const hosts = config.hosts.map((host) => host.name)
  const groups = [...config.groups.keys()].map((group) => `@${group}`)
  const candidates = what === 'group' ? [...groups, ALL_HOSTS] : [...hosts, ...groups]
  const guess = closest(arg.replace(/^@/, ''), candidates)
  const list = (items: string[]) => (items.length <= LIST_LIMIT ? items.join(', ') : `${items.slice(0, LIST_LIMIT).join(', ')} and ${items.length - LIST_LIMIT} more`)
  const known = `hosts: ${list(hosts) || 'none'}; groups: ${list(groups) || 'none'}`
  return new InputError(`unknown ${what} "${arg}" in ${config.displayName} (${known})`, {
    hint: guess ? `did you mean "${guess}"?` : what === 'group' ? 'use a group from tk.yml, or @all for every host' : 'use a name from tk.yml, or user@host for a machine not in it',
  })
}

function closest(input: string, candidates: string[]): string | undefined {
  const bare = new Map(candidates.map((candidate) => [candidate.replace(/^@/, ''), candidate]))
  const guess = didYouMean(input, bare.keys())
  return guess === undefined ? undefined : bare.get(guess)
}
