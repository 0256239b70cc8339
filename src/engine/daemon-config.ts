/**
 * /etc/docker/daemon.json as tk changes it: options from the user merged over
 * what the host's file holds, checked against a table of the keys dockerd
 * reads on Linux (with their JSON types) and against the flags on the engine
 * unit's command line, and a line diff of the file for plans. Pure: the
 * host-scripts/ scripts do the writing, restarting and rolling back.
 *
 * The key table follows the "Daemon configuration file" section of the
 * dockerd reference (docs/reference/dockerd.md in docker/cli), which lists
 * every option of daemon.json on Linux; a file key is the flag's name, in the
 * plural for flags that may be given several times.
 */
import coerce from 'semver/functions/coerce.js'
import compareVersions from 'semver/functions/compare.js'

import {didYouMean} from '../config/index.js'
import {HIDDEN} from '../config/secrets.js'

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject
export interface JsonObject {
  [key: string]: JsonValue
}

export const DAEMON_JSON = '/etc/docker/daemon.json'

/**
 * JSON types of daemon.json values. string-list: an array of strings.
 * string-map: an object whose values are strings (log-opts: `"max-file": 3`
 * stops the daemon, it must be `"3"`). bool-map: an object of booleans.
 * object-map: an object of objects. pools: default-address-pools' items.
 */
export type DaemonValueType = 'string' | 'boolean' | 'integer' | 'string-list' | 'string-map' | 'bool-map' | 'object' | 'object-map' | 'pools' | 'proxies'

export interface DaemonKey {
  type: DaemonValueType
  /** Command-line flags that set the same option (a key set both ways stops the daemon). */
  flags: string[]
  /** The first engine release that reads the key. */
  since?: string
  /** The release that stopped reading it (the daemon then refuses to start). */
  removedIn?: string
}

const key = (type: DaemonValueType, flags: string[] = [], extra: Omit<DaemonKey, 'type' | 'flags'> = {}): DaemonKey => ({type, flags, ...extra})

/** Every key of daemon.json on Linux, from dockerd's documented full example. */
export const DAEMON_KEYS: Record<string, DaemonKey> = {
  'allow-nondistributable-artifacts': key('string-list', ['allow-nondistributable-artifacts']),
  'api-cors-header': key('string', ['api-cors-header']),
  'authorization-plugins': key('string-list', ['authorization-plugin']),
  bip: key('string', ['bip']),
  bridge: key('string', ['bridge', 'b']),
  builder: key('object'),
  'cdi-spec-dirs': key('string-list', ['cdi-spec-dir'], {since: '25.0'}),
  'cgroup-parent': key('string', ['cgroup-parent']),
  containerd: key('string', ['containerd']),
  'containerd-namespace': key('string', ['containerd-namespace']),
  'containerd-plugin-namespace': key('string', ['containerd-plugins-namespace']),
  'cpu-rt-period': key('integer', ['cpu-rt-period']),
  'cpu-rt-runtime': key('integer', ['cpu-rt-runtime']),
  'data-root': key('string', ['data-root']),
  debug: key('boolean', ['debug', 'D']),
  'default-address-pools': key('pools', ['default-address-pool']),
  'default-cgroupns-mode': key('string', ['default-cgroupns-mode']),
  'default-gateway': key('string', ['default-gateway']),
  'default-gateway-v6': key('string', ['default-gateway-v6']),
  'default-ipc-mode': key('string', ['default-ipc-mode']),
  'default-network-opts': key('object-map', ['default-network-opt'], {since: '24.0'}),
  'default-runtime': key('string', ['default-runtime']),
  'default-shm-size': key('string', ['default-shm-size']),
  'default-ulimits': key('object-map', ['default-ulimit']),
  dns: key('string-list', ['dns']),
  'dns-opts': key('string-list', ['dns-opt']),
  'dns-search': key('string-list', ['dns-search']),
  'exec-opts': key('string-list', ['exec-opt']),
  'exec-root': key('string', ['exec-root']),
  experimental: key('boolean', ['experimental']),
  features: key('bool-map'),
  'fixed-cidr': key('string', ['fixed-cidr']),
  'fixed-cidr-v6': key('string', ['fixed-cidr-v6']),
  group: key('string', ['group', 'G']),
  'host-gateway-ip': key('string', ['host-gateway-ip']),
  hosts: key('string-list', ['host', 'H']),
  icc: key('boolean', ['icc']),
  init: key('boolean', ['init']),
  'init-path': key('string', ['init-path']),
  'insecure-registries': key('string-list', ['insecure-registry']),
  ip: key('string', ['ip']),
  'ip-forward': key('boolean', ['ip-forward']),
  'ip-masq': key('boolean', ['ip-masq']),
  ip6tables: key('boolean', ['ip6tables']),
  iptables: key('boolean', ['iptables']),
  ipv6: key('boolean', ['ipv6']),
  labels: key('string-list', ['label']),
  'live-restore': key('boolean', ['live-restore']),
  'log-driver': key('string', ['log-driver']),
  'log-format': key('string', ['log-format'], {since: '25.0'}),
  'log-level': key('string', ['log-level', 'l']),
  'log-opts': key('string-map', ['log-opt']),
  'max-concurrent-downloads': key('integer', ['max-concurrent-downloads']),
  'max-concurrent-uploads': key('integer', ['max-concurrent-uploads']),
  'max-download-attempts': key('integer', ['max-download-attempts']),
  'metrics-addr': key('string', ['metrics-addr']),
  mtu: key('integer', ['mtu']),
  'network-control-plane-mtu': key('integer', ['network-control-plane-mtu']),
  'no-new-privileges': key('boolean', ['no-new-privileges']),
  'node-generic-resources': key('string-list', ['node-generic-resource']),
  'oom-score-adjust': key('integer', ['oom-score-adjust']),
  pidfile: key('string', ['pidfile', 'p']),
  proxies: key('proxies', ['http-proxy', 'https-proxy', 'no-proxy'], {since: '23.0'}),
  'raw-logs': key('boolean', ['raw-logs']),
  'registry-mirrors': key('string-list', ['registry-mirror']),
  runtimes: key('object-map', ['add-runtime']),
  'seccomp-profile': key('string', ['seccomp-profile']),
  'selinux-enabled': key('boolean', ['selinux-enabled']),
  'shutdown-timeout': key('integer', ['shutdown-timeout']),
  'storage-driver': key('string', ['storage-driver', 's']),
  'storage-opts': key('string-list', ['storage-opt']),
  'swarm-default-advertise-addr': key('string', ['swarm-default-advertise-addr']),
  tls: key('boolean', ['tls']),
  tlscacert: key('string', ['tlscacert']),
  tlscert: key('string', ['tlscert']),
  tlskey: key('string', ['tlskey']),
  tlsverify: key('boolean', ['tlsverify']),
  'userland-proxy': key('boolean', ['userland-proxy']),
  'userland-proxy-path': key('string', ['userland-proxy-path']),
  'userns-remap': key('string', ['userns-remap']),
  // Gone in 23.0: an engine from then on refuses to start with them.
  graph: key('string', ['graph', 'g'], {removedIn: '23.0'}),
  'cluster-store': key('string', ['cluster-store'], {removedIn: '23.0'}),
  'cluster-store-opts': key('string-map', ['cluster-store-opt'], {removedIn: '23.0'}),
  'cluster-advertise': key('string', ['cluster-advertise'], {removedIn: '23.0'}),
}

/** Keys whose change makes the images and containers on the host invisible to the engine. */
export const DATA_KEYS = ['storage-driver', 'data-root'] as const

const PROXY_KEYS = ['http-proxy', 'https-proxy', 'no-proxy']

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A problem that makes tk refuse a configuration before anything is written. */
export class DaemonConfigProblem {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {}

  toString(): string {
    return `${this.path}: ${this.reason}`
  }
}

// --- Options from the user -------------------------------------------------

/**
 * One `--daemon-opt key=value`, as a path and a value. Dots nest
 * (`log-opts.max-size=10m`). The value is read by the key's known type: for a
 * string it is taken as written (so `log-opts.max-file=3` is the string "3"),
 * otherwise as JSON (`live-restore=true`, `mtu=1400`, `dns=["1.1.1.1"]`),
 * falling back to the text when it is not JSON. `null` removes the key.
 */
export function parseDaemonOpt(text: string): {path: string[]; value: JsonValue} {
  const at = text.indexOf('=')
  if (at <= 0) throw new Error(`--daemon-opt ${text}: expected key=value`)
  const path = text.slice(0, at).split('.')
  if (path.some((part) => part === '')) throw new Error(`--daemon-opt ${text}: empty key in ${text.slice(0, at)}`)
  const raw = text.slice(at + 1)
  if (raw === 'null') return {path, value: null}
  if (expectsString(path)) return {path, value: raw.startsWith('"') ? parseJsonOr(raw, raw) : raw}
  return {path, value: parseJsonOr(raw, raw)}
}

function parseJsonOr(text: string, fallback: JsonValue): JsonValue {
  try {
    return JSON.parse(text) as JsonValue
  } catch {
    return fallback
  }
}

/** Whether the value at this path is a string by the table (a key's own value, or an entry of a map of strings). */
function expectsString(path: string[]): boolean {
  const spec = DAEMON_KEYS[path[0]]
  if (!spec) return false
  if (path.length === 1) return spec.type === 'string'
  if (path.length === 2) return spec.type === 'string-map' || spec.type === 'proxies'
  return spec.type === 'object-map' && path.length === 3 && path[0] === 'default-network-opts'
}

/** The options as one nested object: a file first, then each --daemon-opt over it, in order. */
export function daemonPatch(file: JsonObject | undefined, opts: string[]): JsonObject {
  const patch: JsonObject = file ? structuredClone(file) : {}
  for (const text of opts) {
    const {path, value} = parseDaemonOpt(text)
    let node = patch
    for (const part of path.slice(0, -1)) {
      const next = node[part]
      if (!isJsonObject(next)) node[part] = {}
      node = node[part] as JsonObject
    }
    node[path.at(-1)!] = value
  }
  return patch
}

/**
 * The patch over the current content: objects merge key by key, anything
 * else (arrays included) replaces, null removes. Keys the patch does not name
 * are kept, in their order; new keys come last.
 */
export function mergeDaemonConfig(current: JsonObject, patch: JsonObject): JsonObject {
  const merged: JsonObject = structuredClone(current)
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete merged[name]
    else if (isJsonObject(value) && isJsonObject(merged[name])) merged[name] = mergeDaemonConfig(merged[name] as JsonObject, value)
    else merged[name] = stripNulls(value)
  }
  return merged
}

function stripNulls(value: JsonValue): JsonValue {
  if (!isJsonObject(value)) return value
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== null).map(([name, item]) => [name, stripNulls(item)]))
}

/** Deep equality of parsed JSON, ignoring the order of object keys. */
export function sameJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => sameJson(item, b[index]))
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = Object.keys(a)
    return keys.length === Object.keys(b).length && keys.every((name) => name in b && sameJson(a[name], b[name]))
  }
  return false
}

/** The dotted paths whose values differ between two configurations. */
export function changedPaths(before: JsonObject, after: JsonObject, prefix = ''): string[] {
  const paths: string[] = []
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const path = prefix ? `${prefix}.${name}` : name
    const [a, b] = [before[name], after[name]]
    if ((isJsonObject(a) || a === undefined) && (isJsonObject(b) || b === undefined) && (a ?? b) !== undefined) paths.push(...changedPaths(a ?? {}, b ?? {}, path))
    else if (!sameJson(a, b)) paths.push(path)
  }
  return paths
}

/** The file's text as tk writes it. */
export function formatDaemonConfig(config: JsonObject): string {
  return `${JSON.stringify(config, null, 2)}\n`
}

/** Parses the host's daemon.json; an absent or empty file is an empty configuration. */
export function parseDaemonConfig(text: string | undefined): JsonObject {
  if (text === undefined || text.trim() === '') return {}
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new Error(`it is not valid JSON (${(error as Error).message})`)
  }
  if (!isJsonObject(value)) throw new Error('it is not a JSON object')
  return value as JsonObject
}

// --- Validation ------------------------------------------------------------

const typeName = (value: JsonValue): string => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`)
const shown = (value: JsonValue) => {
  const text = JSON.stringify(value)
  return text.length > 40 ? `${text.slice(0, 37)}...` : text
}

function checkType(path: string, value: JsonValue, type: DaemonValueType): DaemonConfigProblem[] {
  const problem = (expected: string) => [new DaemonConfigProblem(path, `expected ${expected}, got ${typeName(value)} ${shown(value)}`)]
  const entries = (check: (item: JsonValue) => boolean, expected: string) => {
    if (!isJsonObject(value)) return problem(`an object whose values are each ${expected}`)
    return Object.entries(value)
      .filter(([, item]) => !check(item))
      .map(([name, item]) => new DaemonConfigProblem(`${path}.${name}`, `expected ${expected}, got ${typeName(item)} ${shown(item)}`))
  }
  switch (type) {
    case 'string':
      return typeof value === 'string' ? [] : problem('a string')
    case 'boolean':
      return typeof value === 'boolean' ? [] : problem('true or false')
    case 'integer':
      return Number.isInteger(value) ? [] : problem('an integer')
    case 'string-list':
      return Array.isArray(value) && value.every((item) => typeof item === 'string') ? [] : problem('an array of strings')
    case 'string-map':
      if (!isJsonObject(value)) return problem('an object of strings')
      return entries((item) => typeof item === 'string', 'a string (quote numbers: "3")')
    case 'bool-map':
      return entries((item) => typeof item === 'boolean', 'true or false')
    case 'object':
      return isJsonObject(value) ? [] : problem('an object')
    case 'object-map':
      return entries((item) => isJsonObject(item), 'an object')
    case 'pools':
      if (!Array.isArray(value)) return problem('an array of {"base": "CIDR", "size": N}')
      return value.flatMap((item, index) =>
        isJsonObject(item) && typeof item.base === 'string' && Number.isInteger(item.size) && Object.keys(item).every((name) => name === 'base' || name === 'size')
          ? []
          : [new DaemonConfigProblem(`${path}[${index}]`, `expected {"base": "CIDR", "size": N}, got ${shown(item)}`)],
      )
    case 'proxies': {
      if (!isJsonObject(value)) return problem('an object with http-proxy, https-proxy, no-proxy')
      const unknown = Object.keys(value).filter((name) => !PROXY_KEYS.includes(name))
      return [
        ...unknown.map((name) => new DaemonConfigProblem(`${path}.${name}`, `unknown key; proxies takes ${PROXY_KEYS.join(', ')}`)),
        ...entries((item) => typeof item === 'string', 'a string').filter((item) => !unknown.some((name) => item.path === `${path}.${name}`)),
      ]
    }
    default:
      return []
  }
}

function version(text: string | undefined): string | undefined {
  return coerce(text ?? '')?.version
}

/** Keys and value types of the keys named, against the table and the engine's version. */
export function checkDaemonKeys(config: JsonObject, names: string[], engineVersion?: string): DaemonConfigProblem[] {
  const problems: DaemonConfigProblem[] = []
  const running = version(engineVersion)
  for (const name of names) {
    const value = config[name]
    if (value === undefined) continue
    const spec = DAEMON_KEYS[name]
    if (!spec) {
      const near = didYouMean(name, Object.keys(DAEMON_KEYS))
      problems.push(new DaemonConfigProblem(name, `not a daemon.json option${near ? ` (did you mean ${near}?)` : ''}`))
      continue
    }
    problems.push(...checkType(name, value, spec.type))
    if (running && spec.since && compareVersions(running, version(spec.since)!) < 0) {
      problems.push(new DaemonConfigProblem(name, `needs engine ${spec.since} or later; this host runs ${engineVersion}`))
    }
    if (running && spec.removedIn && compareVersions(running, version(spec.removedIn)!) >= 0) {
      problems.push(new DaemonConfigProblem(name, `removed in engine ${spec.removedIn}; this host runs ${engineVersion}${name === 'graph' ? ' (use data-root)' : ''}`))
    }
  }
  return problems
}

// --- The unit's command line -----------------------------------------------

const FLAG_TO_KEY = new Map(Object.entries(DAEMON_KEYS).flatMap(([name, spec]) => spec.flags.map((flag) => [flag, name] as const)))

/**
 * The daemon.json keys set by flags on dockerd's command line, e.g.
 * `dockerd -H fd:// --containerd=/run/containerd/containerd.sock` sets hosts
 * and containerd. Flags tk does not know are skipped.
 */
export function keysSetByFlags(argv: string[]): Map<string, string> {
  const keys = new Map<string, string>()
  for (let index = 0; index < argv.length; index++) {
    const token = argv[index]
    let flag: string | undefined
    let inline = false
    if (token.startsWith('--')) {
      flag = token.slice(2).split('=')[0]
      inline = token.includes('=')
    } else if (/^-[a-zA-Z]/.test(token)) {
      flag = token[1]
      inline = token.length > 2
    }
    if (!flag) continue
    const name = FLAG_TO_KEY.get(flag)
    const boolean = name ? DAEMON_KEYS[name].type === 'boolean' : false
    const next = argv[index + 1]
    const value = inline ? token.slice(token.startsWith('--') ? token.indexOf('=') + 1 : 2) : !boolean && next !== undefined && !next.startsWith('-') ? next : ''
    if (!inline && !boolean && next !== undefined && !next.startsWith('-')) index++
    if (name) keys.set(name, `${token.startsWith('--') ? `--${flag}` : `-${flag}`}${value ? ` ${value}` : ''}`)
  }
  return keys
}

/** Keys of the file that a flag on the unit's command line also sets: dockerd refuses to start with both. */
export function checkFlagConflicts(config: JsonObject, argv: string[]): DaemonConfigProblem[] {
  const byFlags = keysSetByFlags(argv)
  return Object.keys(config)
    .filter((name) => byFlags.has(name))
    .map(
      (name) =>
        new DaemonConfigProblem(name, `also set on the engine's command line (${byFlags.get(name)}); dockerd refuses to start when an option is given both ways`),
    )
}

// --- Diff ------------------------------------------------------------------

/** A line diff of two texts, as "  line", "- line", "+ line" (longest common subsequence; files are small). */
export function lineDiff(before: string, after: string): string[] {
  const a = before === '' ? [] : before.replace(/\n$/, '').split('\n')
  const b = after === '' ? [] : after.replace(/\n$/, '').split('\n')
  const lengths = Array.from({length: a.length + 1}, () => new Array<number>(b.length + 1).fill(0))
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lengths[i][j] = a[i] === b[j] ? lengths[i + 1][j + 1] + 1 : Math.max(lengths[i + 1][j], lengths[i][j + 1])
  }
  const lines: string[] = []
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      lines.push(`  ${a[i++]}`)
      j++
    } else if (i < a.length && (j === b.length || lengths[i + 1][j] >= lengths[i][j + 1])) {
      lines.push(`- ${a[i++]}`)
    } else {
      lines.push(`+ ${b[j++]}`)
    }
  }
  return lines
}

/**
 * One patch over another, as if applied one after the other: objects merge
 * key by key and the later patch wins, its nulls kept (they still remove the
 * key from the host's file). tk.yml's `engine.daemon` with --daemon-opt over it.
 */
export function combineDaemonPatches(first: JsonObject, second: JsonObject): JsonObject {
  const combined: JsonObject = structuredClone(first)
  for (const [name, value] of Object.entries(second)) {
    combined[name] = isJsonObject(value) && isJsonObject(combined[name]) ? combineDaemonPatches(combined[name] as JsonObject, value) : structuredClone(value)
  }
  return combined
}

// --- Secrets ---------------------------------------------------------------

/** A secret value that changes: the new one, as shown. */
export const HIDDEN_CHANGED = '*** (changed)'

/** The value at a path of keys, if every step is an object key. */
function valueAt(config: JsonObject, path: readonly string[]): JsonValue | undefined {
  let node: JsonValue | undefined = config
  for (const name of path) node = isJsonObject(node) ? node[name] : undefined
  return node
}

/** A copy with the value at each path (where there is one) replaced by `shown(path)`. */
function replaceAt(config: JsonObject, paths: ReadonlyArray<readonly string[]>, shown: (path: readonly string[]) => string): JsonObject {
  const copy = structuredClone(config)
  for (const path of paths) {
    const parent = valueAt(copy, path.slice(0, -1))
    if (isJsonObject(parent) && parent[path.at(-1)!] !== undefined) parent[path.at(-1)!] = shown(path)
  }
  return copy
}

/** A URL's password (scheme://user:PASSWORD@host), wherever one is in a text: a proxy's credentials. */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@"]*:)[^\s@"/]+@/gi

/** Whether a daemon.json holds a secret: a value at one of the paths, or a URL with a password. */
export function holdsSecret(config: JsonObject, secretPaths: ReadonlyArray<readonly string[]>): boolean {
  return secretPaths.some((path) => valueAt(config, path) !== undefined) || new RegExp(URL_PASSWORD.source, 'i').test(JSON.stringify(config))
}

/** A text with every URL password hidden. */
export function hideUrlPasswords(text: string): string {
  return text.replace(URL_PASSWORD, `$1${HIDDEN}@`)
}

/**
 * The two files of a change as they may be shown: the values at the secret
 * paths (those that came from ${ENV} in tk.yml) hidden in both — the host's
 * old value too, which is as secret as the new — the new one marked when it
 * differs, and URL passwords hidden everywhere.
 */
export function shownDaemonConfigs(before: JsonObject, after: JsonObject, secretPaths: ReadonlyArray<readonly string[]>): {before: JsonObject; after: JsonObject} {
  const hideUrls = (value: JsonValue): JsonValue =>
    typeof value === 'string'
      ? hideUrlPasswords(value)
      : Array.isArray(value)
        ? value.map(hideUrls)
        : isJsonObject(value)
          ? Object.fromEntries(Object.entries(value).map(([name, item]) => [name, hideUrls(item)]))
          : value
  const changed = (path: readonly string[]) => valueAt(before, path) !== undefined && !sameJson(valueAt(before, path), valueAt(after, path))
  return {
    before: hideUrls(replaceAt(before, secretPaths, () => HIDDEN)) as JsonObject,
    after: hideUrls(replaceAt(after, secretPaths, (path) => (changed(path) ? HIDDEN_CHANGED : HIDDEN))) as JsonObject,
  }
}

/** The strings at the secret paths of some configurations (whole values, arrays and objects included), longest first: what a message must not quote. */
export function secretStrings(configs: JsonObject[], secretPaths: ReadonlyArray<readonly string[]>): string[] {
  const found = new Set<string>()
  const collect = (value: JsonValue | undefined): void => {
    if (typeof value === 'string' && value !== '') found.add(value)
    else if (Array.isArray(value)) value.forEach(collect)
    else if (isJsonObject(value)) Object.values(value).forEach(collect)
  }
  for (const config of configs) for (const path of secretPaths) collect(valueAt(config, path))
  return [...found].sort((a, b) => b.length - a.length)
}
