/**
 * Everything tk knows about a host before it plans: the check facts and the
 * engine facts, gathered in one round trip by host-scripts/check-facts.sh
 * and host-scripts/engine-facts.sh (engine-facts-start.sh first).
 */

import {HostStateError} from '../errors/index.js'
import {parseFactsScriptOutput, parseOsRelease, type RawCheckFacts} from './check-facts.js'
import type {Host, RunResult} from '../transport/host.js'
import {splitCommandLine} from './command-line.js'
/** Where the engine's API listens on a Debian host (what engine-facts.sh asks the CLI about). */
const DEFAULT_ENGINE_SOCKET = '/var/run/docker.sock'
import {parseAptSources} from './apt-sources.js'
import {FactSections} from './sections.js'
import {hostScript} from '../transport/host-scripts.js'
import {shQuote} from '../transport/sh-quote.js'

export type InitSystem = 'systemd' | 'openrc' | 'sysv' | 'unknown'

export interface EngineFacts {
  /** Installed packages that make up an engine: name -> version. */
  packages: Record<string, string>
  /** Commands found on the PATH: name -> path. */
  binaries: Record<string, string>
  /** docker CLI plugins installed (docker-compose, docker-buildx, ...). */
  cliPlugins: string[]
  service: {active: boolean; enabled: boolean; socketActive: boolean; pid?: number; startedAt?: string}
  /** What the daemon answered, when it answered. */
  server?: {
    version: string
    storageDriver?: string
    images?: number
    containers?: number
    /** Containers running now: a restart stops them unless live-restore is on. */
    running?: number
    liveRestore?: boolean
    rootDir?: string
  }
  daemon: DaemonFacts
}

/** What planning a change of /etc/docker/daemon.json needs. */
export interface DaemonFacts {
  /** `dockerd --version`'s version, when dockerd is installed. */
  dockerdVersion?: string
  /** Whether dockerd has --validate (engine 23.0+). */
  canValidate: boolean
  /** dockerd's command line in the systemd unit, $DOCKER_OPTS expanded. */
  argv?: string[]
  /** The file exists, and neither the login user nor `sudo -n` could read it. */
  configUnreadable?: boolean
  /** The file's text; undefined when there is no file (or it could not be read). */
  configText?: string
}

export interface HostFacts {
  check: RawCheckFacts
  os: {id: string; idLike: string[]; versionId?: string; codename?: string; prettyName?: string}
  arch: string
  user: {name: string; uid: number}
  init: InitSystem
  packageManager?: string
  engine: EngineFacts
  dockerGroup?: {gid: number; members: string[]}
  /** Whether the host knows each user asked about (hostFactsRequest's users): name -> exists. */
  users: Record<string, boolean>
  /** Loaded kernel modules among those the engine uses. */
  loadedModules: string[]
  /** The URIs of the host's apt sources (src/facts/apt-sources.ts); absent where they were not read. */
  aptSources?: string[]
}

/**
 * The engine section's lines from the engine API's GET /info, in the form
 * engine-facts.sh prints them from `docker info`.
 */
export function engineLinesFromInfo(body: string): string[] | undefined {
  let info: Record<string, unknown>
  try {
    info = JSON.parse(body) as Record<string, unknown>
  } catch {
    return undefined
  }
  if (typeof info?.ServerVersion !== 'string') return undefined
  return [
    `server=${info.ServerVersion}`,
    `storage=${String(info.Driver)} images=${Number(info.Images)} containers=${Number(info.Containers)} running=${Number(info.ContainersRunning)} live-restore=${String(info.LiveRestoreEnabled)}`,
    `root-dir=${String(info.DockerRootDir)}`,
  ]
}

/** @param engineLines the engine section when it came from the API instead of the script. */
export function parseHostFacts(output: string, engineLines?: string[]): HostFacts {
  const sections = new FactSections(output)
  if (!sections.has('engine-end')) throw new Error('the engine facts script ended early: its output has no end marker')
  const check = parseFactsScriptOutput(sections)
  const os = parseOsRelease(check.osRelease)
  // id's "uid=1000(admin) gid=1000(admin) groups=...": a uid with no passwd entry has no name.
  const who = /^uid=(\d+)(?:\(([^)]*)\))?/.exec(sections.lines('whoami')[0] ?? '')
  const [userName, uid] = who ? [who[2] ?? '', who[1]] : ['', '-1']

  const packages: Record<string, string> = {}
  for (const line of sections.lines('packages')) {
    const [name, version] = line.split(' ')
    if (name && version) packages[name] = version
  }
  const binaries: Record<string, string> = {}
  for (const line of sections.lines('binaries')) {
    const [name, path] = line.split(' ')
    if (name && path) binaries[name] = path
  }

  const serviceLines = sections.lines('service')
  const unit = (name: string) => {
    const line = serviceLines.find((text) => text.startsWith(`${name} `)) ?? ''
    return {active: /\bactive=active\b/.test(line), enabled: /\benabled=(enabled|static|alias)\b/.test(line)}
  }
  const value = (key: string) => serviceLines.find((line) => line.startsWith(`${key}=`))?.slice(key.length + 1).trim()
  const pid = Number(value('pid') ?? 0)
  const startedAt = value('started') || undefined
  const docker = unit('docker.service')

  engineLines ??= sections.lines('engine')
  const server = engineLines.find((line) => line.startsWith('server='))?.slice('server='.length)
  const info = engineLines.find((line) => line.startsWith('storage=')) ?? ''
  const field = (key: string) => new RegExp(`\\b${key}=(\\S+)`).exec(info)?.[1]

  const rootDir = engineLines.find((line) => line.startsWith('root-dir='))?.slice('root-dir='.length)

  const daemonLines = sections.lines('daemon')
  const daemonValue = (key: string) => daemonLines.find((line) => line.startsWith(`${key}=`))?.slice(key.length + 1)
  const execStart = daemonValue('execstart')?.trim()
  const jsonLines = sections.lines('daemon-json')
  const daemon: DaemonFacts = {
    dockerdVersion: /version\s+([^\s,]+)/i.exec(daemonValue('dockerd') ?? '')?.[1],
    canValidate: daemonValue('validate') === 'yes',
    argv: execStart ? splitCommandLine(execStart, {DOCKER_OPTS: daemonValue('docker-opts') ?? ''}) : undefined,
    configText: jsonLines[0] === 'present' ? Buffer.from(jsonLines.slice(1).join(''), 'base64').toString('utf8') : undefined,
    ...(jsonLines[0] === 'unreadable' ? {configUnreadable: true} : {}),
  }

  const users: Record<string, boolean> = {}
  for (const line of sections.lines('users')) {
    const [name, known] = line.split(' ')
    if (name && (known === 'yes' || known === 'no')) users[name] = known === 'yes'
  }

  const groupLine = sections.lines('docker-group')[0]
  const groupParts = groupLine?.split(':')

  return {
    check,
    os: {
      id: os.ID ?? 'unknown',
      idLike: (os.ID_LIKE ?? '').split(/\s+/).filter(Boolean),
      versionId: os.VERSION_ID,
      codename: os.VERSION_CODENAME,
      prettyName: os.PRETTY_NAME,
    },
    arch: check.unameMachine,
    user: {name: userName, uid: Number(uid)},
    init: (sections.lines('init')[0] as InitSystem | undefined) ?? 'unknown',
    packageManager: sections.lines('package-manager')[0],
    engine: {
      packages,
      binaries,
      cliPlugins: [...new Set(sections.lines('cli-plugins'))],
      service: {
        active: docker.active || (pid > 0 && !serviceLines.some((line) => line.startsWith('docker.service '))),
        enabled: docker.enabled,
        socketActive: unit('docker.socket').active,
        pid: pid > 0 ? pid : undefined,
        startedAt,
      },
      server: server
        ? {
            version: server,
            storageDriver: field('storage'),
            images: field('images') === undefined ? undefined : Number(field('images')),
            containers: field('containers') === undefined ? undefined : Number(field('containers')),
            running: field('running') === undefined ? undefined : Number(field('running')),
            liveRestore: field('live-restore') === undefined ? undefined : field('live-restore') === 'true',
            rootDir: rootDir || undefined,
          }
        : undefined,
      daemon,
    },
    dockerGroup: groupParts && groupParts.length >= 4 ? {gid: Number(groupParts[2]), members: groupParts[3].split(',').filter(Boolean)} : undefined,
    users,
    loadedModules: sections.lines('modules'),
    aptSources: parseAptSources(sections.lines('apt-sources')),
  }
}

/** host-scripts/host-facts.sh: the facts scripts as one, the engine's slow queries started first, in the background. */
export function hostFactsScript(): Promise<string> {
  return hostScript('host-facts.sh')
}

/** A facts round trip, prepared: the script to run, then its result read into HostFacts. */
export interface HostFactsRequest {
  /** The script, with its settings, ready for Host.run (or the host lock's whenLocked). */
  script: string
  /** The script starts now: what tk asks the host alongside it (the engine's API) starts too. */
  start(): void
  /** When start() was first called (performance.now()). */
  readonly startedAt?: number
  /** The script's result, with the engine's answer, as HostFacts. */
  finish(result: RunResult): Promise<HostFacts>
}

/**
 * Prepares the facts round trip for `host`, so that it can run where it is
 * cheapest (on its own, or in the host lock's round trip). `daemon` adds what
 * planning a daemon.json change needs from dockerd itself (slow to start:
 * asked only then). `users` are looked up on the host (HostFacts.users).
 */
export async function hostFactsRequest(host: Host, options: {daemon?: boolean; users?: readonly string[]} = {}): Promise<HostFactsRequest> {
  const base = await hostFactsScript()
  // The engine's API, asked over the connection while the script runs, saves starting the docker CLI on the host.
  const askApi = host.getFromUnixSocket !== undefined
  const users = options.users ?? []
  const env = [
    ...(options.daemon ? ['TK_DAEMON_FACTS=1'] : []),
    ...(askApi ? ['TK_ENGINE_API=1'] : []),
    ...(users.length > 0 ? [`TK_USERS=${shQuote(users.join(' '))}`] : []),
  ]
  let api: Promise<{status: number; body: string} | undefined> | undefined
  const request: HostFactsRequest & {startedAt?: number} = {
    script: env.length > 0 ? `${env.join('\n')}\n${base}` : base,
    start() {
      request.startedAt ??= performance.now()
      api ??= host.getFromUnixSocket?.(DEFAULT_ENGINE_SOCKET, '/info').catch(() => undefined)
    },
    async finish(result) {
      if (result.code !== 0) throw new HostStateError(`the facts script failed on ${host.name} (exit ${result.code}): ${result.stderr.trim()}`)
      if (!askApi) return parseHostFacts(result.stdout)
      request.start()
      const response = await api
      let engineLines = response?.status === 200 ? engineLinesFromInfo(response.body) : undefined
      if (!engineLines && /^docker\.service active=active/m.test(result.stdout)) {
        // No answer over the connection (forwarding refused, say) from a running engine: ask its CLI.
        const cli = await host.run(await hostScript('lib/engine-info.sh'))
        engineLines = cli.code === 0 ? cli.stdout.split('\n').filter(Boolean) : []
      }
      return parseHostFacts(result.stdout, engineLines ?? [])
    },
  }
  return request
}

/** Gathers a host's facts in one round trip (see hostFactsRequest). */
export async function gatherHostFacts(host: Host, options: {daemon?: boolean; users?: readonly string[]} = {}): Promise<HostFacts> {
  const request = await hostFactsRequest(host, options)
  request.start()
  return request.finish(await host.run(request.script))
}
