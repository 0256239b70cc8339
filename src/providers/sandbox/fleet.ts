/**
 * The sandbox provider as tk.yml hosts see it. A host with `provider:
 * sandbox` is one machine per (tk.yml, host name): named `<host>-<hash of the
 * tk.yml path>` and labelled with both, so two checkouts never share a
 * machine and the test suite's machines are never touched. This module
 * creates missing machines (building release images first), starts stopped
 * ones, says how to reach them, describes them for `tk status` and removes
 * them. Work that changes machines runs under one lock per sandbox home, so
 * two tk processes never race to create the same machine. An engine started
 * here is left running: the machines live on it.
 *
 * Only naming is loaded eagerly; the engine client comes in on first use.
 */
import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {realpathSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {parsePublishedPortsKey, type PublishedPort, publishedAddress, publishedPortsKey} from '../../config/published-ports.js'
import type {Release} from '../../config/types.js'
import {BugError, ConnectionError, EnvironmentError, HostStateError} from '../../errors/index.js'
import type {Target} from '../../targets/index.js'
import {DEFAULT_RELEASE, imageTag, isRelease, LABEL} from './image.js'
import type {Machine, Sandbox, SandboxHome} from './index.js'
import {recordedHostKeys, SANDBOX_SSH_HOST} from './known-hosts.js'

/** Container labels that tie a machine to its tk.yml host. */
export const FLEET_LABEL = {
  /** The real path of the tk.yml the host is declared in. */
  project: 'tk.sandbox.project',
  /** The host's name in that tk.yml. */
  host: 'tk.sandbox.host',
} as const

/** The user tk logs in as on sandbox hosts (passwordless sudo). */
export const SANDBOX_LOGIN_USER = 'admin'

// Host names may be 63 characters; a readable prefix is enough, the hash keeps it unique.
const NAME_PREFIX_MAX = 40
const HASH_LENGTH = 8

function shortHash(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, HASH_LENGTH)
}

/** The tk.yml path machines are keyed on: symlinks resolved, so one checkout is one project. */
export function projectPath(file: string): string {
  try {
    return realpathSync(file)
  } catch {
    return file
  }
}

/**
 * The machine of a tk.yml host: `<host>-<8 hex of the tk.yml path>`, lower
 * case, at most 49 characters (a machine name, a DNS label and a hostname).
 * A host name that does not survive lower-casing and the character set as it
 * is ("Web_1") hashes its own name in too, so no two hosts share a machine.
 */
export function machineName(project: string, host: string): string {
  const slug =
    host
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/-+/g, '-')
      .slice(0, NAME_PREFIX_MAX)
      .replace(/^-+|-+$/g, '') || 'host'
  const exact = slug === host
  return `${slug}-${exact ? shortHash(project) : shortHash(project, host)}`
}

/** The project of a sandbox host: the tk.yml its target was resolved from. */
function projectOf(target: Target, explicit: string | undefined): string {
  const file = explicit ?? target.configFile
  if (!file) throw new BugError(`sandbox host ${target.name}: its target carries no tk.yml path (resolve it with resolveTargets, or pass {project})`)
  return projectPath(file)
}

export interface SandboxProgress {
  /** The tk.yml host name, when the message is about one host. */
  target?: string
  message: string
}

export interface SandboxOptions {
  /** The tk.yml the targets come from; default: each target's own. */
  project?: string
  onProgress?: (event: SandboxProgress) => void
}

/** How to reach a sandbox host: OpenSSH or tk's transport, with the sandbox's key and known_hosts, strictly. */
export interface SandboxConnection {
  target: string
  machine: string
  containerId: string
  release: Release
  host: string
  port: number
  user: typeof SANDBOX_LOGIN_USER
  identityFile: string
  knownHostsFile: string
  hostKeyPolicy: 'strict'
  /** True when this call created the machine, or started it. */
  created: boolean
  started: boolean
}

export type SandboxHostState = 'engine-not-running' | 'not-created' | 'created' | 'running' | 'paused' | 'stopped' | 'unknown'

export interface SandboxHostStatus {
  target: string
  machine: string
  /** The release tk.yml asks for. */
  release: Release
  state: SandboxHostState
  /** Why the state is unknown. */
  detail?: string
  containerId?: string
  /** The release the machine was made from, when it exists. */
  machineRelease?: Release
  /** Where its sshd answers, while it runs. */
  ssh?: {host: string; port: number}
  /** The ports tk.yml publishes for it. */
  ports: PublishedPort[]
  /** The ports its container publishes now, when it exists (other than `ports`: tk up makes its container again). */
  publishedPorts?: PublishedPort[]
  /** Its address on the sandbox network, while it runs. */
  networkAddress?: string
}

export interface SandboxRemoval {
  target: string
  machine: string
  /** False when there was no machine to remove. */
  removed: boolean
}

export interface Planned {
  target: Target
  project: string
  machine: string
  release: Release
  /** Its ports on this machine's loopback, as tk.yml gives them. */
  ports: PublishedPort[]
}

export function plan(targets: readonly Target[], options: SandboxOptions): Planned[] {
  return targets
    .filter((target) => target.provider === 'sandbox')
    .map((target) => {
      const project = projectOf(target, options.project)
      return {target, project, machine: machineName(project, target.name), release: target.release ?? DEFAULT_RELEASE, ports: target.host?.ports ?? []}
    })
}

function labelsOf(entry: Planned): Record<string, string> {
  return {[FLEET_LABEL.project]: entry.project, [FLEET_LABEL.host]: entry.target.name}
}

/** Refuses a machine of that name that stands for another tk.yml host (or for none). */
export function checkOwner(entry: Planned, machine: Machine): void {
  if (machine.labels[FLEET_LABEL.project] !== entry.project || machine.labels[FLEET_LABEL.host] !== entry.target.name) {
    const owner = machine.labels[FLEET_LABEL.project] ? `${machine.labels[FLEET_LABEL.host]} of ${machine.labels[FLEET_LABEL.project]}` : 'no tk.yml host'
    throw new HostStateError(`${entry.target.name}: sandbox machine ${machine.name} exists but belongs to ${owner}`, {
      hint: 'rename the host in tk.yml, or remove that machine',
    })
  }
}

// ---- The sandbox, opened once per process -----------------------------------

const opened = new Map<string, Promise<Sandbox>>()

async function homeOf(): Promise<SandboxHome> {
  const {defaultSandboxRoot, sandboxHome} = await import('./index.js')
  return sandboxHome(defaultSandboxRoot())
}

/** Whether the sandbox's engine answers on its socket; never starts it. */
async function engineAnswers(home: SandboxHome): Promise<boolean> {
  const {default: Docker} = await import('dockerode')
  try {
    await new Docker({socketPath: home.engine.socket, timeout: 5000}).ping()
    return true
  } catch {
    return false
  }
}

/**
 * The sandbox, its engine started when none answers. The engine is never
 * stopped from here: machines live on it after the command ends.
 */
export async function openSandbox(onProgress?: (event: SandboxProgress) => void): Promise<Sandbox> {
  const home = await homeOf()
  let pending = opened.get(home.root)
  if (pending) {
    const sandbox = await pending.catch(() => undefined)
    if (sandbox && (await engineAnswers(home))) return sandbox
    opened.delete(home.root)
  }
  const {Sandbox, checkSandboxRequirements, installSandboxRequirements} = await import('./index.js')
  if (home.choice.kind === 'user') {
    // Said every time: machines are about to be made on an engine other people may use too.
    onProgress?.({message: `using your Docker engine at ${home.choice.socket} (${home.choice.from}; TK_SANDBOX_ENGINE=private for tk's own, as root)`})
  } else {
    await installSandboxRequirements((message) => (onProgress ? onProgress({message}) : process.stderr.write(`${message}\n`)))
    await checkSandboxRequirements()
    if (!(await engineAnswers(home))) onProgress?.({message: `starting the sandbox's Docker engine (${home.engine.socket})`})
  }
  pending = Sandbox.open({root: home.root})
  opened.set(home.root, pending)
  pending.catch(() => opened.delete(home.root))
  return pending
}

// ---- The lock ----------------------------------------------------------------

/**
 * Holds the sandbox home's lock (flock(1) on fleet.lock) until the returned
 * function is called. The lock belongs to a child that exits when tk does,
 * however it ends, so a killed tk never leaves it taken.
 */
async function lockSandbox(home: SandboxHome, onProgress?: (event: SandboxProgress) => void, timeoutMs = 20 * 60_000): Promise<() => Promise<void>> {
  const file = join(home.root, 'fleet.lock')
  const child = spawn('flock', ['--exclusive', file, 'sh', '-c', 'echo locked; exec cat >/dev/null'], {stdio: ['pipe', 'pipe', 'pipe']})
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()))
  let stderr = ''
  child.stderr.on('data', (chunk) => (stderr += chunk))
  const waiting = setTimeout(() => onProgress?.({message: 'waiting for another tk that is changing sandbox machines'}), 1000)
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new EnvironmentError(`another tk held the sandbox lock ${file} for ${Math.round(timeoutMs / 60_000)} minutes`)), timeoutMs)
      child.stdout.once('data', () => {
        clearTimeout(timer)
        resolve()
      })
      child.once('error', (error) => {
        clearTimeout(timer)
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT'
        reject(missing ? new EnvironmentError('sandbox machines need flock, not found on this machine; install it: apt-get install -y util-linux') : error)
      })
      child.once('close', (code) => {
        clearTimeout(timer)
        reject(new Error(`flock ${file} exited (${code}) before taking the lock: ${stderr.trim()}`))
      })
    })
  } catch (error) {
    child.kill()
    throw error
  } finally {
    clearTimeout(waiting)
  }
  return async () => {
    child.stdin.end()
    await exited
  }
}

export async function withLock<T>(sandbox: Sandbox, onProgress: SandboxOptions['onProgress'], work: () => Promise<T>): Promise<T> {
  const release = await lockSandbox(sandbox.home, onProgress)
  try {
    return await work()
  } finally {
    await release()
  }
}

/** Settles every piece of work, then throws the first failure (nothing is left half done). */
export async function allOrFirstFailure<T>(work: Array<Promise<T>>): Promise<T[]> {
  const outcomes = await Promise.allSettled(work)
  const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected')
  if (failed) throw failed.reason
  return outcomes.map((outcome) => (outcome as PromiseFulfilledResult<T>).value)
}

// ---- Ensure, reach, describe, destroy -----------------------------------------

export function connection(sandbox: Sandbox, entry: Planned, machine: Machine, changes: {created: boolean; started: boolean}): SandboxConnection {
  const endpoint = sandbox.endpoint(machine, SANDBOX_LOGIN_USER)
  return {
    target: entry.target.name,
    machine: machine.name,
    containerId: machine.id,
    release: machine.release,
    host: endpoint.host,
    port: endpoint.port,
    user: SANDBOX_LOGIN_USER,
    identityFile: endpoint.identityFile,
    knownHostsFile: endpoint.knownHostsFile,
    hostKeyPolicy: 'strict',
    ...changes,
  }
}

/** Brings an existing machine up: unpaused, started, its key pinned, sshd answering. */
export async function bringUp(sandbox: Sandbox, entry: Planned, machine: Machine, onProgress: SandboxOptions['onProgress']): Promise<{machine: Machine; started: boolean}> {
  if (machine.state === 'dead' || machine.state === 'removing') {
    throw new HostStateError(`${entry.target.name}: sandbox machine ${machine.name} is ${machine.state}`, {hint: `tk destroy ${entry.target.name}, then tk up creates it again`})
  }
  if (machine.state === 'paused') {
    onProgress?.({target: entry.target.name, message: `unpausing machine ${machine.name}`})
    await sandbox.engine.docker.getContainer(machine.id).unpause()
    return {machine: await sandbox.machines.start(machine.name), started: true}
  }
  const started = machine.state !== 'running' && machine.state !== 'restarting'
  if (started) onProgress?.({target: entry.target.name, message: `starting machine ${machine.name}`})
  return {machine: await sandbox.machines.start(machine.name), started}
}

async function ensureOne(sandbox: Sandbox, entry: Planned, onProgress: SandboxOptions['onProgress']): Promise<SandboxConnection> {
  let existing = await sandbox.machines.find(entry.machine)
  if (existing) {
    checkOwner(entry, existing)
    if (existing.release !== entry.release) {
      throw new HostStateError(`${entry.target.name}: its sandbox machine runs Debian ${existing.release}, tk.yml asks for ${entry.release}`, {
        hint: `tk destroy ${entry.target.name} and tk up make it again on ${entry.release}, or put release: ${existing.release} back`,
      })
    }
    if (existing.state === 'created') {
      // Under the lock nobody is creating it: a tk was stopped halfway. Its host key may not be in it.
      onProgress?.({target: entry.target.name, message: `removing machine ${existing.name}, left half made`})
      await sandbox.machines.remove(existing.name)
      existing = undefined
    }
  }
  if (existing && publishedPortsKey(existing.ports) !== publishedPortsKey(entry.ports)) {
    onProgress?.({target: entry.target.name, message: `making machine ${existing.name}'s container again to ${portChange(existing.ports, entry.ports)}, keeping its disk, host key and address`})
    const {machine, addressKept} = await sandbox.machines.republish(existing.name, entry.ports)
    if (!addressKept) onProgress?.({target: entry.target.name, message: `machine ${existing.name} had no address to keep (its network or its stop did not pin one): it has a new one`})
    return connection(sandbox, entry, machine, {created: false, started: true})
  }
  if (existing) {
    const {machine, started} = await bringUp(sandbox, entry, existing, onProgress)
    return connection(sandbox, entry, machine, {created: false, started})
  }
  onProgress?.({target: entry.target.name, message: `creating machine ${entry.machine} (Debian ${entry.release})`})
  // The machine calls itself by its tk.yml name (prompt, motd, logs); the container's name keeps the project's suffix.
  const machine = await sandbox.machines.create({name: entry.machine, hostname: entry.target.name, release: entry.release, labels: labelsOf(entry), ports: entry.ports})
  return connection(sandbox, entry, machine, {created: true, started: true})
}

/** "publish 127.0.0.1:8080->8080" / "stop publishing ..." / both: what a new container changes. */
export function portChange(from: readonly PublishedPort[], to: readonly PublishedPort[]): string {
  const describe = (ports: readonly PublishedPort[]) => ports.map((port) => `${publishedAddress(port)}->${port.containerPort}`).join(', ')
  const key = (port: PublishedPort) => publishedPortsKey([port])
  const added = to.filter((port) => !from.some((other) => key(other) === key(port)))
  const dropped = from.filter((port) => !to.some((other) => key(other) === key(port)))
  return [added.length > 0 ? `publish ${describe(added)}` : '', dropped.length > 0 ? `stop publishing ${describe(dropped)}` : ''].filter(Boolean).join(' and ')
}

/** Builds the images of the releases that lack one, saying so first: it takes minutes. */
async function ensureImagesFor(sandbox: Sandbox, releases: Release[], onProgress: SandboxOptions['onProgress']): Promise<void> {
  const missing: Release[] = []
  for (const release of new Set(releases)) {
    const labels = await sandbox.engine.docker
      .getImage(imageTag(release))
      .inspect()
      .then((info) => info.Config?.Labels ?? {})
      .catch(() => undefined)
    if (labels?.[LABEL.credentials] !== sandbox.credentials.digest) missing.push(release)
  }
  for (const release of missing) onProgress?.({message: `building the Debian ${release} image (a few minutes the first time)`})
  const built = await sandbox.ensureImages(releases)
  for (const image of built) if (image.built) onProgress?.({message: `built the Debian ${image.release} image in ${Math.round(image.seconds)} s`})
}

/**
 * For the sandbox targets among `targets`: builds missing release images,
 * creates missing machines, starts stopped ones, and returns how to reach
 * each (in the order given). Other targets are ignored. Safe when several tk
 * processes run it at once: they take turns, and a later one adopts what an
 * earlier one made.
 */
export async function ensureSandboxHosts(targets: readonly Target[], options: SandboxOptions = {}): Promise<SandboxConnection[]> {
  const entries = plan(targets, options)
  if (entries.length === 0) return []
  const sandbox = await openSandbox(options.onProgress)
  return withLock(sandbox, options.onProgress, async () => {
    const found = await Promise.all(entries.map((entry) => sandbox.machines.find(entry.machine)))
    const toMake = entries.filter((_, index) => !found[index] || found[index]!.state === 'created').map((entry) => entry.release)
    if (toMake.length > 0) await ensureImagesFor(sandbox, toMake, options.onProgress)
    return allOrFirstFailure(entries.map((entry) => ensureOne(sandbox, entry, options.onProgress)))
  })
}

/**
 * How to reach one existing sandbox host, for commands that take hosts. Never
 * creates a machine (one clear line when there is none); starts one that is
 * stopped, and re-pins its host key when the sandbox's known_hosts lost it.
 */
export async function reachSandboxHost(target: Target, options: SandboxOptions = {}): Promise<SandboxConnection> {
  const [entry] = plan([target], options)
  if (!entry) throw new Error(`${target.name} is not a sandbox host`)
  const sandbox = await openSandbox(options.onProgress)
  const missing = () =>
    new ConnectionError(`${target.name} is a sandbox machine that does not exist yet; tk up creates it`)
  const machine = await sandbox.machines.find(entry.machine)
  if (!machine) throw missing()
  checkOwner(entry, machine)
  if (machine.state === 'running' && machine.ssh && (await isPinned(sandbox, machine))) {
    return connection(sandbox, entry, machine, {created: false, started: false})
  }
  return withLock(sandbox, options.onProgress, async () => {
    const current = await sandbox.machines.find(entry.machine)
    if (!current || current.state === 'created') throw missing()
    const {machine: up, started} = await bringUp(sandbox, entry, current, options.onProgress)
    return connection(sandbox, entry, up, {created: false, started})
  })
}

/** Readies a sandbox host's machine for a reboot: it starts again by itself when its init ends (tk reboot). */
export async function readySandboxReboot(target: Target, options: SandboxOptions = {}): Promise<void> {
  const [entry] = plan([target], options)
  if (!entry) throw new Error(`${target.name} is not a sandbox host`)
  const sandbox = await openSandbox(options.onProgress)
  const machine = await sandbox.machines.find(entry.machine)
  if (!machine) throw new ConnectionError(`${target.name} is a sandbox machine that does not exist yet; tk up creates it`)
  checkOwner(entry, machine)
  await sandbox.machines.restartOnReboot(machine.name)
}

async function isPinned(sandbox: Sandbox, machine: Machine): Promise<boolean> {
  const key = machine.hostKey.split(/\s+/).slice(0, 2).join(' ')
  return (await recordedHostKeys(sandbox.home.knownHosts, machine.ssh!.port)).includes(key)
}

function hostState(state: Machine['state']): SandboxHostState {
  switch (state) {
    case 'running':
    case 'restarting':
      return 'running'
    case 'created':
    case 'paused':
      return state
    default:
      return 'stopped'
  }
}

/**
 * The sandbox machines (project and host labels) among the stopped engine's
 * containers, read from its data-root (containers/ID/config.v2.json, as
 * dockerd keeps them); undefined when that cannot be read, so nothing is
 * claimed.
 */
export async function machinesOnDisk(dataRoot: string): Promise<Set<string> | undefined> {
  const {readdir, readFile} = await import('node:fs/promises')
  const directory = join(dataRoot, 'containers')
  try {
    const ids = await readdir(directory)
    const labels = await Promise.all(
      ids.map(async (id) => {
        const config = JSON.parse(await readFile(join(directory, id, 'config.v2.json'), 'utf8')) as {Config?: {Labels?: Record<string, string>}}
        return config.Config?.Labels ?? {}
      }),
    )
    return new Set(labels.filter((each) => each[FLEET_LABEL.project] && each[FLEET_LABEL.host]).map((each) => `${each[FLEET_LABEL.project]}\u0000${each[FLEET_LABEL.host]}`))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !(error as {path?: string}).path?.endsWith('config.v2.json')) return new Set()
    return undefined
  }
}

/**
 * The state of each sandbox target's machine, without creating anything and
 * without starting an engine: when none answers, every host is
 * "engine-not-running".
 */
export async function describeSandboxHosts(targets: readonly Target[], options: Pick<SandboxOptions, 'project'> = {}): Promise<SandboxHostStatus[]> {
  const entries = plan(targets, options)
  if (entries.length === 0) return []
  const base = (entry: Planned) => ({target: entry.target.name, machine: entry.machine, release: entry.release, ports: entry.ports})
  const home = await homeOf()
  if (!home.engine.shared && process.getuid?.() !== 0) {
    return entries.map((entry) => ({...base(entry), state: 'unknown' as const, detail: "sandbox machines on tk's private engine need root"}))
  }
  if (home.engine.shared && !(await engineAnswers(home))) {
    return entries.map((entry) => ({...base(entry), state: 'unknown' as const, detail: `no Docker engine answers at ${home.engine.socket}`}))
  }
  if (!(await engineAnswers(home))) {
    // A machine tk destroyed is gone, engine or not: only those on the engine's disk are down with it.
    const kept = await machinesOnDisk(home.engine.dataRoot)
    return entries.map((entry) => ({...base(entry), state: kept && !kept.has(`${entry.project}\u0000${entry.target.name}`) ? ('not-created' as const) : ('engine-not-running' as const)}))
  }
  const {default: Docker} = await import('dockerode')
  const docker = new Docker({socketPath: home.engine.socket})
  const containers = await docker.listContainers({all: true, filters: {label: [FLEET_LABEL.project]}})
  return entries.map((entry) => {
    // (Not the old container of one being made again, set aside under another name.)
    const info = containers.find((container) => container.Labels[FLEET_LABEL.project] === entry.project && container.Labels[FLEET_LABEL.host] === entry.target.name && !container.Names.some((name) => name.includes('.replaced-')))
    if (!info) return {...base(entry), state: 'not-created' as const}
    const port = info.Ports.find((item) => item.PrivatePort === 22 && item.PublicPort && item.IP === SANDBOX_SSH_HOST)
    const release = info.Labels[LABEL.release] ?? ''
    const state = hostState(info.State as Machine['state'])
    const ip = Object.values(info.NetworkSettings?.Networks ?? {})[0]?.IPAddress
    return {
      ...base(entry),
      state,
      containerId: info.Id,
      ...(isRelease(release) ? {machineRelease: release} : {}),
      ...(state === 'running' && port ? {ssh: {host: SANDBOX_SSH_HOST, port: port.PublicPort}} : {}),
      publishedPorts: parsePublishedPortsKey(info.Labels[LABEL.ports]),
      ...(state === 'running' && ip ? {networkAddress: ip} : {}),
    }
  })
}

/**
 * Removes the machines of the sandbox targets, with their volumes and their
 * known_hosts lines. A machine already gone is fine (removed: false).
 */
export async function destroySandboxHosts(targets: readonly Target[], options: SandboxOptions = {}): Promise<SandboxRemoval[]> {
  const entries = plan(targets, options)
  if (entries.length === 0) return []
  const sandbox = await openSandbox(options.onProgress)
  return withLock(sandbox, options.onProgress, () =>
    allOrFirstFailure(
      entries.map(async (entry) => {
        const machine = await sandbox.machines.find(entry.machine)
        if (!machine) return {target: entry.target.name, machine: entry.machine, removed: false}
        checkOwner(entry, machine)
        options.onProgress?.({target: entry.target.name, message: `removing machine ${machine.name}`})
        const removed = await sandbox.machines.remove(machine.name)
        return {target: entry.target.name, machine: entry.machine, removed}
      }),
    ),
  )
}

// ---- The engine --------------------------------------------------------------

export interface EngineStopResult {
  /** Whether an engine was running. */
  wasRunning: boolean
  pid?: number
  /** Machines that were running on it (they are stopped, not removed). */
  machines: number
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The pid of the sandbox's dockerd, when the pid file names a live dockerd of this home. */
async function enginePid(home: SandboxHome): Promise<number | undefined> {
  const pid = Number((await readFile(home.engine.pidFile, 'utf8').catch(() => '')).trim())
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined
  // The pid may have been reused since: only a dockerd with this home's pid file is ours.
  const commandLine = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0')
  return commandLine.includes(`--pidfile=${home.engine.pidFile}`) ? pid : undefined
}

/**
 * Stops the sandbox's engine, whoever started it; its machines stop with it
 * (cleanly, systemd shuts down) and are kept. Nothing to do when it is not running.
 */
export async function stopSandboxEngine(options: {timeoutMs?: number} = {}): Promise<EngineStopResult> {
  const home = await homeOf()
  if (home.engine.shared) {
    throw new EnvironmentError(`the sandbox uses your own Docker engine (${home.engine.socket}): tk stops only the private engine it starts`, {
      hint: 'tk destroy removes the machines tk made on it',
    })
  }
  if (process.getuid?.() !== 0) {
    throw new EnvironmentError("stopping the sandbox's engine needs root: it runs as root", {hint: 'run as root (sudo -E)'})
  }
  const pid = await enginePid(home)
  if (pid === undefined) return {wasRunning: false, machines: 0}
  let machines = 0
  if (await engineAnswers(home)) {
    const {default: Docker} = await import('dockerode')
    machines = (await new Docker({socketPath: home.engine.socket}).listContainers({filters: {label: ['tk.sandbox.machine']}})).length
  }
  process.kill(pid, 'SIGTERM')
  // dockerd gives containers --shutdown-timeout (10 s) each, in parallel, then exits.
  const deadline = Date.now() + (options.timeoutMs ?? 60_000)
  while (isAlive(pid) && Date.now() < deadline) await sleep(100)
  if (isAlive(pid)) process.kill(pid, 'SIGKILL')
  opened.delete(home.root)
  return {wasRunning: true, pid, machines}
}
