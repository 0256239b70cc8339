/**
 * What `tk status` knows about a reachable host: the output of
 * host-scripts/status-facts.sh, parsed. Pure functions; gathering them is
 * src/status/gather.ts.
 */
import {parseOsRelease} from '../facts/check-facts.js'
import {parseDebianVersion} from '../engine/debian-version.js'
import {parseEngineSource} from '../facts/engine-source.js'
import {FactSections} from '../facts/sections.js'
import {type LastUp, parseHostState} from '../facts/up-state.js'

/**
 * The daemon as a status sees it: `not-answering` is a dockerd process (or
 * an active unit) whose API did not answer the login user, who may use it.
 */
export type DaemonState = 'running' | 'stopped' | 'not-installed' | 'not-answering'

export interface EngineStatus {
  daemon: DaemonState
  /** The engine's version: the server's when it answered, else the installed package's upstream version. */
  version?: string
  /** Where `version` came from. */
  versionFrom?: 'server' | 'package'
  /** The package that holds the engine (docker-ce, docker.io, ...), when the package manager was asked. */
  package?: string
  /** Whether the login user may use the engine's socket (undefined when the daemon does not run). */
  access?: boolean
  /** systemd's word for docker.service when it was asked (active, inactive, failed, activating...). */
  unit?: string
  /** Why the daemon did not answer. */
  error?: string
  /** The socket the login user may use, when the daemon runs: tk asks it for the version over SSH (withEngineAnswer). */
  socket?: string
  /** How tk's apt fetched the engine's packages (/var/lib/tk/engine-install): direct, or through the workstation. Absent when tk did not install it with apt. */
  installedVia?: string
  /** How the engine was installed: docker (Docker's repository) or distro (docker.io); absent for anything else. */
  method?: 'docker' | 'distro'
  /** For method docker: the repository's URI, suite and component ("https://download.docker.com/linux/debian bookworm stable"). */
  repository?: string
}

/** What the engine's API said to GET /version, or why it said nothing. */
export type EngineAnswer = {version: string} | {error: string}

export interface StatusFacts {
  /** PRETTY_NAME of os-release, else NAME VERSION_ID. */
  os: string
  kernel: string
  /** The login user. */
  user: string
  engine: EngineStatus
  /** Members of the docker group; undefined when there is no such group. */
  dockerGroup?: string[]
  /** The last `tk up` from the host's state file; undefined when tk up never finished there. */
  lastUp?: LastUp
  /** PID 1's name (systemd on the hosts tk installs engines on); undefined when unreadable. */
  init?: string
}

export function parseStatusFacts(output: string): StatusFacts {
  const sections = new FactSections(output)
  if (!sections.has('end')) throw new Error('the status facts script ended early: its output has no end marker')

  const release = parseOsRelease(sections.body('os'))
  const os = release.PRETTY_NAME || [release.NAME, release.VERSION_ID].filter(Boolean).join(' ') || 'unknown'

  const groupParts = sections.lines('docker-group')[0]?.split(':')
  const dockerGroup = groupParts && groupParts.length >= 4 ? groupParts[3].split(',').filter(Boolean) : undefined

  return {
    os,
    kernel: sections.lines('kernel')[0] ?? 'unknown',
    user: sections.lines('user')[0] ?? '',
    engine: parseEngine(sections),
    ...(dockerGroup ? {dockerGroup} : {}),
    ...optional('lastUp', latestUp(parseLastUp(sections.body('state')), parseQuickUp(sections.body('up-last')))),
    ...optional('init', sections.lines('init')[0]),
  }
}

function parseEngine(sections: FactSections): EngineStatus {
  const lines = sections.lines('engine')
  const value = (key: string) => lines.find((line) => line.startsWith(`${key}=`))?.slice(key.length + 1)
  const installed = value('installed') === 'yes'
  const unit = value('unit') || undefined
  const running = value('pid') !== undefined || unit === 'active' || unit === 'reloading'
  const server = value('server')?.trim() || undefined
  const failed = value('exit') !== undefined || value('error') !== undefined
  const denied = value('access') === 'denied'
  const socket = value('socket') || undefined

  const [pkg] = sections.lines('packages').map((line) => line.split(' '))
  const fromPackage = pkg?.[1] ? upstreamVersion(pkg[1]) : undefined

  let daemon: DaemonState
  if (server) daemon = 'running'
  else if (failed) daemon = 'not-answering'
  else if (running) daemon = 'running'
  else daemon = installed ? 'stopped' : 'not-installed'

  return {
    daemon,
    ...(server ? {version: server, versionFrom: 'server' as const} : fromPackage ? {version: fromPackage, versionFrom: 'package' as const} : {}),
    ...optional('package', pkg?.[0]),
    ...(running ? {access: !denied} : {}),
    ...optional('unit', unit),
    ...(failed ? {error: answerError(value('exit'), value('error'))} : {}),
    ...optional('socket', socket),
    ...optional('installedVia', sections.lines('engine-install').find((line) => line.startsWith('via='))?.slice(4)),
    ...parseEngineSource(sections.lines('engine-source')),
  }
}

/** The facts with the daemon's answer to tk's own question (over a stream-local channel) folded in. */
export function withEngineAnswer(facts: StatusFacts, answer: EngineAnswer): StatusFacts {
  const engine: EngineStatus =
    'version' in answer
      ? {...facts.engine, daemon: 'running', version: answer.version, versionFrom: 'server'}
      : {...facts.engine, daemon: 'not-answering', error: answer.error}
  return {...facts, engine}
}

/** "5:27.3.1-1~debian.12~bookworm" -> "27.3.1", the form dockerd reports; an unparsable version as it is. */
export function upstreamVersion(text: string): string {
  try {
    return parseDebianVersion(text).upstream
  } catch {
    return text
  }
}

function answerError(exit: string | undefined, message: string | undefined): string {
  if (exit === '124') return 'no answer within 3 s'
  const line = message?.trim()
  if (line) return line
  return exit === undefined ? 'no answer' : `docker version exited ${exit}`
}

/** The last tk up from the state file's text: anything unreadable or incomplete counts as never. */
export function parseLastUp(text: string): LastUp | undefined {
  return soundLastUp(parseHostState(text.trim() || undefined).lastUp)
}

/** A quick run's account (/var/lib/tk/up.last: one line of JSON, a LastUp), or undefined. */
export function parseQuickUp(text: string): LastUp | undefined {
  try {
    return soundLastUp(JSON.parse(text.trim()))
  } catch {
    return undefined
  }
}

/** A record of a tk up with a readable time, or undefined. */
function soundLastUp(last: unknown): LastUp | undefined {
  if (!last || typeof last !== 'object' || typeof (last as LastUp).at !== 'string' || Number.isNaN(Date.parse((last as LastUp).at))) return undefined
  return last as LastUp
}

/** The later of the state's last tk up and the last quick run. */
function latestUp(full: LastUp | undefined, quick: LastUp | undefined): LastUp | undefined {
  if (!full || !quick) return full ?? quick
  return Date.parse(quick.at) > Date.parse(full.at) ? quick : full
}

function optional<K extends string, V>(key: K, value: V | undefined): {[P in K]?: V} {
  return (value === undefined ? {} : {[key]: value}) as {[P in K]?: V}
}
