/**
 * From a schema-valid tk.yml to the TkConfig the rest of tk uses: the checks
 * a JSON Schema cannot express (unique names, groups that clash with hosts,
 * names that provisioners refer to, provider-specific keys, version ranges),
 * then defaults and per-host overrides applied.
 */
import {existsSync} from 'node:fs'
import {isAbsolute, resolve as resolvePath} from 'node:path'

import validRange from 'semver/ranges/valid.js'

import {portMappingProblem, volumeProblem} from './container-spec.js'
import {formatPublishedPort, parsePublishedPort, type PublishedPort, sameSocket} from './published-ports.js'
import {hideSecrets} from './secrets.js'
import {resolveSwarm} from './swarm.js'
import {ConfigError, didYouMean, formatPath, type ConfigPath} from './errors.js'
import {
  DEFAULT_RELEASE,
  type EngineConfig,
  type EngineFile,
  type HostConfig,
  type HostFile,
  type Provisioner,
  type ProvisionerFile,
  type TkConfig,
  type TkFile,
} from './types.js'
import type {YamlSource} from './yaml-source.js'

/** @all selects every host; no group may take the name. */
export const ALL_GROUP = 'all'

export interface ResolveContext {
  file: string
  dir: string
  displayName: string
  source: YamlSource
  secrets: string[]
  /** Where in the file the secrets are (paths of the values they were put in). */
  secretPaths?: ConfigPath[]
  /** Also require that files named by provisioners exist. */
  checkFiles?: boolean
  /** Unset variables left as written (see TkConfig.deferredEnv). */
  deferredEnv?: string[]
}

export function resolveConfig(data: TkFile, context: ResolveContext): TkConfig {
  const fail = (path: ConfigPath, message: string, hint: string, key = false): never => {
    const where = context.source.locate(path, {key})
    const prefix = where ? `${context.displayName}:${where.line}:${where.column}` : context.displayName
    throw new ConfigError(`${prefix}: ${formatPath(path)}: ${message}`, {hint, path: formatPath(path), line: where?.line, column: where?.column})
  }

  // Problems that quote a value: it may have come from the environment.
  const hide = (text: string) => hideSecrets(text, context.secrets)

  const fileProvider = data.provider ?? 'ssh'
  const defaults = data.defaults ?? {}
  const hostsFile = data.hosts ?? []

  // Unique host names.
  const hostIndex = new Map<string, number>()
  hostsFile.forEach((host, index) => {
    const earlier = hostIndex.get(host.name)
    if (earlier !== undefined) fail(['hosts', index, 'name'], `duplicate host name "${host.name}" (also hosts[${earlier}])`, 'give every host its own name')
    hostIndex.set(host.name, index)
  })

  // Groups: never named like a host (bare names must be unambiguous), never "all".
  const groups = new Map<string, string[]>()
  hostsFile.forEach((host, index) => {
    host.groups?.forEach((group, position) => {
      if (group === ALL_GROUP) fail(['hosts', index, 'groups', position], `"${ALL_GROUP}" is reserved: @all selects every host`, 'choose another group name')
      if (hostIndex.has(group)) fail(['hosts', index, 'groups', position], `group "${group}" has the same name as a host`, 'rename the group or the host: a bare name on the command line must mean one thing')
      const members = groups.get(group) ?? []
      members.push(host.name)
      groups.set(group, members)
    })
  })

  // groups: settings only for groups some host joins (a misspelt name would silently do nothing).
  const groupSerial = new Map<string, number>()
  for (const [group, settings] of Object.entries(data.groups ?? {})) {
    if (!groups.has(group)) fail(['groups', group], `group "${group}" has no hosts`, `add groups: [${group}] to its hosts, or remove it here`, true)
    if (settings?.serial !== undefined) groupSerial.set(group, settings.serial)
  }

  // registries: username and password together, or a credential helper; a password only from ${ENV}.
  const registries = data.registries ?? []
  registries.forEach((registry, index) => {
    const {username, password, credentialHelper} = registry
    if (credentialHelper !== undefined && (username !== undefined || password !== undefined)) {
      fail(['registries', index, 'credentialHelper'], 'a registry takes its credentials from a credential helper or from username and password, not both', 'remove one of them')
    }
    if (credentialHelper === undefined && (username === undefined || password === undefined)) {
      fail(['registries', index], `registry ${registry.server} needs username and password (or credentialHelper)`, 'password: ${REGISTRY_PASSWORD}, username: ${REGISTRY_USER}')
    }
    // (A variable left unset, for a command that does not pull, is kept as written: ${NAME}.)
    if (password !== undefined && !password.includes('${') && !(context.secretPaths ?? []).some((path) => path[0] === 'registries' && path[1] === index && path[2] === 'password')) {
      fail(['registries', index, 'password'], 'a registry password is written in tk.yml itself', 'write password: ${REGISTRY_PASSWORD} and set the variable in your environment')
    }
    if (registries.findIndex((other) => other.server === registry.server) !== index) fail(['registries', index, 'server'], `registry ${registry.server} is given twice`, 'give each registry once')
  })

  // Provider-specific keys.
  hostsFile.forEach((host, index) => {
    const provider = host.provider ?? fileProvider
    if (provider === 'ssh' && host.release !== undefined) {
      fail(['hosts', index, 'release'], 'release applies only to sandbox hosts, and this host\'s provider is ssh', 'remove release, or set provider: sandbox on the host')
    }
    if (provider === 'ssh' && host.ports) {
      fail(['hosts', index, 'ports'], 'ports applies only to sandbox hosts, and this host\'s provider is ssh', 'remove ports, or set provider: sandbox on the host')
    }
    if (provider === 'sandbox' && host.address !== undefined) {
      fail(['hosts', index, 'address'], 'a sandbox host has no address: tk creates the machine and knows how to reach it', 'remove address, or set provider: ssh on the host')
    }
    // A sandbox machine is reached on the port its engine published, as its admin with the sandbox's
    // key: these keys would be ignored, and a setting that silently does nothing misleads.
    for (const key of ['port', 'user', 'identityFile'] as const) {
      if (provider === 'sandbox' && host[key] !== undefined) {
        fail(['hosts', index, key], `a sandbox host has no ${key}: tk reaches the machine on the port its engine publishes, as admin with the sandbox's key`, `remove ${key}, or set provider: ssh on the host`)
      }
    }
  })

  // Published ports: loopback only, and no two bindings on one socket of this machine.
  const publishedPorts = new Map<number, PublishedPort[]>()
  const taken: Array<{port: PublishedPort; host: string}> = []
  hostsFile.forEach((host, index) => {
    const ports = (host.ports ?? []).map((spec, item): PublishedPort => {
      const port = parsePublishedPort(spec)
      if ('problem' in port) return fail(['hosts', index, 'ports', item], `"${spec}": ${port.problem}`, 'e.g. ports: ["8080:8080"] publishes the machine\'s 8080 on 127.0.0.1:8080')
      const clash = taken.find((other) => sameSocket(other.port, port))
      if (clash) {
        const where = clash.host === host.name ? 'another port of this host' : `host ${clash.host}`
        fail(['hosts', index, 'ports', item], `"${spec}": ${port.hostIp}:${port.hostPort} is already published by ${where} (${formatPublishedPort(clash.port)})`, 'give each host its own host port: web-1 "8080:8080", web-2 "8081:8080"')
      }
      taken.push({port, host: host.name})
      return port
    })
    if (ports.length > 0) publishedPorts.set(index, ports)
  })

  // Engine version ranges.
  const checkEngine = (engine: EngineFile | null | undefined, path: ConfigPath) => {
    if (engine?.version !== undefined && validRange(engine.version) === null) {
      fail([...path, 'version'], `"${engine.version}" is not a version range`, 'write a version or an npm-style range: "27", "27.3.1", "^27.3", ">=26 <28"')
    }
    // A key of the user's own is trusted only with the fingerprint it must have.
    if (engine?.repository?.key !== undefined && engine.repository.fingerprint === undefined) {
      fail([...path, 'repository', 'key'], 'a repository key needs its fingerprint beside it', 'add fingerprint: with the key\'s fingerprint (gpg --show-keys KEYFILE prints it)')
    }
  }
  checkEngine(data.engine, ['engine'])
  hostsFile.forEach((host, index) => checkEngine(host.engine, ['hosts', index, 'engine']))

  // Provisioners: unique names, known targets, files that exist.
  const provisionerIndex = new Map<string, number>()
  const provisioners: Provisioner[] = (data.provisioners ?? []).map((entry, index) => {
    const earlier = provisionerIndex.get(entry.name)
    if (earlier !== undefined) fail(['provisioners', index, 'name'], `duplicate provisioner name "${entry.name}" (also provisioners[${earlier}])`, 'give every provisioner its own name: the host\'s state remembers what ran by name')
    provisionerIndex.set(entry.name, index)
    const hosts = entry.hosts ? selectHosts(entry.hosts, ['provisioners', index, 'hosts']) : hostsFile.map((host) => host.name)
    return normalizeProvisioner(entry, hosts, index)
  })

  function selectHosts(names: string[], where: ConfigPath, indexed = true): string[] {
    const selected = new Set<string>()
    names.forEach((name, position) => {
      const bare = name.startsWith('@') ? name.slice(1) : name
      let members: string[] | undefined
      if (name === `@${ALL_GROUP}`) members = hostsFile.map((host) => host.name)
      else if (!name.startsWith('@') && hostIndex.has(name)) members = [name]
      else members = groups.get(bare)
      if (!members) {
        const known = [...hostIndex.keys(), ...[...groups.keys()].map((group) => `@${group}`)]
        const guess = didYouMean(name, known)
        fail(indexed ? [...where, position] : where, `no host or group "${name}" in this file`, guess ? `did you mean "${guess}"?` : `known: ${known.join(', ') || 'none'}`)
      }
      for (const member of members ?? []) selected.add(member)
    })
    return hostsFile.map((host) => host.name).filter((host) => selected.has(host))
  }

  function localFile(relative: string, path: ConfigPath): string {
    const absolute = isAbsolute(relative) ? relative : resolvePath(context.dir, relative)
    if (context.checkFiles && !existsSync(absolute)) fail(path, `${relative} does not exist (relative to ${context.displayName})`, 'create it, or correct the path')
    return absolute
  }

  function normalizeProvisioner(entry: ProvisionerFile, hosts: string[], index: number): Provisioner {
    const base = {name: entry.name, run: entry.run ?? 'once', hosts}
    const at = (...rest: ConfigPath) => ['provisioners', index, ...rest]
    switch (entry.type) {
      case 'shell':
        return {
          ...base,
          type: 'shell',
          ...(entry.inline === undefined ? {} : {inline: entry.inline}),
          ...(entry.script === undefined ? {} : {script: localFile(entry.script, at('script'))}),
          env: stringify(entry.env),
          privileged: entry.privileged ?? true,
        }
      case 'file':
        return {
          ...base,
          type: 'file',
          source: localFile(entry.source, at('source')),
          destination: entry.destination,
          ...(entry.mode === undefined ? {} : {mode: entry.mode.padStart(4, '0')}),
          ...(entry.owner === undefined ? {} : {owner: entry.owner}),
          followSymlinks: entry.followSymlinks ?? false,
          drift: entry.drift ?? 'check',
        }
      case 'docker':
        entry.container?.ports?.forEach((port, position) => {
          const problem = portMappingProblem(port)
          if (problem) fail(at('container', 'ports', position), hide(problem), 'write it as docker run -p takes it: "8080:80", "127.0.0.1:8443:443/tcp"')
        })
        entry.container?.volumes?.forEach((volume, position) => {
          const problem = volumeProblem(volume)
          if (problem) fail(at('container', 'volumes', position), hide(problem), 'write it as docker run -v takes it: "data:/var/lib/app", "/srv/www:/usr/share/nginx/html:ro"')
        })
        return {
          ...base,
          type: 'docker',
          image: entry.image,
          ...(entry.load === undefined ? {} : {load: localFile(entry.load, at('load'))}),
          ...(entry.container === undefined
            ? {}
            : {
                container: {
                  name: entry.container.name,
                  ...(entry.container.command === undefined ? {} : {command: entry.container.command}),
                  ports: entry.container.ports ?? [],
                  env: stringify(entry.container.env),
                  volumes: entry.container.volumes ?? [],
                  restart: entry.container.restart ?? 'unless-stopped',
                  state: entry.container.state ?? 'running',
                  ...(entry.container.healthcheck === undefined ? {} : {healthcheck: entry.container.healthcheck}),
                },
              }),
          drift: entry.drift ?? 'check',
        }
    }
  }

  const hosts: HostConfig[] = hostsFile.map((host, index) => {
    const provider = host.provider ?? fileProvider
    const sandbox = provider === 'sandbox'
    // Sandbox machines get their connection from the sandbox, not from defaults.
    const user = host.user ?? (sandbox ? undefined : defaults.user)
    const port = host.port ?? (sandbox ? undefined : defaults.port)
    const identityFile = host.identityFile ?? (sandbox ? undefined : defaults.identityFile)
    return {
      name: host.name,
      address: host.address ?? host.name,
      ...(user === undefined ? {} : {user}),
      ...(port === undefined ? {} : {port}),
      ...(identityFile === undefined ? {} : {identityFile}),
      groups: host.groups ?? [],
      provider,
      ...(sandbox ? {release: host.release ?? defaults.release ?? DEFAULT_RELEASE} : {}),
      ...(publishedPorts.has(index) ? {ports: publishedPorts.get(index)} : {}),
      ssh: pickDefined({
        hostKeyPolicy: host.ssh?.hostKeyPolicy ?? data.ssh?.hostKeyPolicy,
        connectTimeout: host.ssh?.connectTimeout ?? data.ssh?.connectTimeout,
      }),
      engine: mergeEngine(data.engine, host.engine, daemonSecretPaths(context.secretPaths ?? [], host, index), {
        bundlePath: (bundle, inHost) => localFile(bundle, inHost ? ['hosts', index, 'engine', 'bundle'] : ['engine', 'bundle']),
        localKey: (key) => localFile(key, host.engine?.repository?.key === undefined ? ['engine', 'repository', 'key'] : ['hosts', index, 'engine', 'repository', 'key']),
      }),
      provisioners: provisioners.filter((provisioner) => provisioner.hosts.includes(host.name)).map((provisioner) => provisioner.name),
      ...(host.bootstrap ? {bootstrap: host.bootstrap} : {}),
    }
  })

  return {
    file: context.file,
    dir: context.dir,
    displayName: context.displayName,
    provider: fileProvider,
    ssh: pickDefined({hostKeyPolicy: data.ssh?.hostKeyPolicy, connectTimeout: data.ssh?.connectTimeout, concurrency: data.ssh?.concurrency}),
    hosts,
    groups,
    ...(groupSerial.size > 0 ? {groupSerial} : {}),
    ...(registries.length > 0 ? {registries} : {}),
    provisioners,
    secrets: context.secrets,
    deferredEnv: context.deferredEnv ?? [],
    ...(data.swarm ? {swarm: resolveSwarm(data.swarm, {hosts, select: selectHosts, fail})} : {}),
  }
}

/** Files tk.yml names in `engine`, resolved against tk.yml's directory: an offline bundle, a repository's key. */
interface EngineFiles {
  bundlePath: (bundle: string, inHost: boolean) => string
  localKey: (key: string) => string
}

function mergeEngine(file: EngineFile | null | undefined, host: EngineFile | null | undefined, secretPaths: string[][], {bundlePath, localKey}: EngineFiles): EngineConfig {
  const version = host?.version ?? file?.version
  const bundle = host?.bundle === undefined ? (file?.bundle === undefined ? undefined : bundlePath(file.bundle, false)) : bundlePath(host.bundle, true)
  const fetch = host?.fetch ?? file?.fetch
  const given = {...file?.repository, ...host?.repository}
  const repository = Object.keys(given).length > 0 ? {...given, ...(given.key === undefined || /^https?:\/\//i.test(given.key) ? {} : {key: localKey(given.key)})} : undefined
  return {
    method: host?.method ?? file?.method ?? 'distro',
    ...((host?.method ?? file?.method) === undefined ? {} : {methodNamed: true}),
    ...(version === undefined ? {} : {version}),
    ...(repository === undefined ? {} : {repository}),
    daemon: {...file?.daemon, ...host?.daemon},
    ...(secretPaths.length > 0 ? {daemonSecretPaths: secretPaths} : {}),
    users: host?.users ?? file?.users ?? [],
    compose: host?.compose ?? file?.compose ?? true,
    ...(bundle === undefined ? {} : {bundle}),
    ...(fetch === undefined ? {} : {fetch}),
  }
}

/**
 * The daemon.json paths of a host's engine whose values hold a secret: from
 * the host's `engine.daemon`, or the file's for keys the host does not set
 * (the two merge key by key). A path stops at the first array: the whole
 * array is secret.
 */
function daemonSecretPaths(secretPaths: ConfigPath[], host: HostFile, index: number): string[][] {
  const hostKeys = new Set(Object.keys(host.engine?.daemon ?? {}))
  const inDaemon = (path: ConfigPath): ConfigPath | undefined => {
    if (path[0] === 'hosts' && path[1] === index && path[2] === 'engine' && path[3] === 'daemon') return path.slice(4)
    if (path[0] === 'engine' && path[1] === 'daemon' && !hostKeys.has(String(path[2]))) return path.slice(2)
    return undefined
  }
  const found = new Map<string, string[]>()
  for (const path of secretPaths) {
    const keys = inDaemon(path)
    if (!keys || keys.length === 0) continue
    const firstIndex = keys.findIndex((part) => typeof part === 'number')
    const keyPath = (firstIndex === -1 ? keys : keys.slice(0, firstIndex)).map(String)
    found.set(JSON.stringify(keyPath), keyPath)
  }
  return [...found.values()]
}

function stringify(env: Record<string, string | number | boolean> | null | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(env ?? {}).map(([key, value]) => [key, String(value)]))
}

function pickDefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T
}
