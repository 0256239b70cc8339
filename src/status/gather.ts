/**
 * `tk status` as a service: which hosts, then one connection and one run of
 * host-scripts/status-facts.sh per host, hosts in parallel; where the engine
 * runs and the login user may use it, its version is asked over the same
 * connection (src/status/engine-api.ts). A host that cannot be reached is a
 * row saying why, never an exception.
 */
import type {TkConfig} from '../config/types.js'
import {type PublishedPort, publishedAddress} from '../config/published-ports.js'
import {ExitCode} from '../errors/exit-codes.js'
import {ConnectionError, InputError, UserError} from '../errors/index.js'
import {combineExitCodes, type FleetResult, outcomeError} from '../fleet/result.js'
import {type HostFailure, type HostOutcome, runFleet} from '../fleet/runner.js'
import {boundScript} from '../transport/host-scripts.js'
import {FleetSessions} from '../fleet/host-session.js'
import {ALL_HOSTS, type Target} from '../targets/index.js'
import type {TransportOptions} from '../transport/connection.js'
import type {SshHost} from '../transport/ssh-host.js'
import type {Host} from '../transport/host.js'
import {resolveTarget} from '../transport/target.js'
import type {SandboxHostState, SandboxHostStatus} from '../providers/sandbox/fleet.js'
import {askEngineVersion} from './engine-api.js'
import {parseStatusFacts, type StatusFacts, withEngineAnswer} from './facts.js'
import {type ClusterStatus, engineAt, type NodeStatus, swarmInfoOf, swarmStatus} from '../swarm/index.js'
import type {SwarmEngine, SwarmInfo} from '../swarm/engine-api.js'

/** Why a host has no facts, in a word or two: what the REACHABLE column shows. */
export type ProblemReason = 'not running' | 'refused' | 'timeout' | 'auth' | 'host key' | 'dns' | 'no route' | 'reset' | 'closed' | 'unsupported' | 'script failed' | 'error'

export interface HostProblem extends HostFailure {
  reason: ProblemReason
}

export interface HostStatus {
  /** The tk.yml name, or the target as typed. */
  name: string
  /** user@host:port as tk reached it (or would have). */
  address: string
  /**
   * Sandbox hosts: where their services answer from this machine: their published
   * ports ("127.0.0.1:8080, 127.0.0.1:8443"), else their address on the sandbox network.
   * Absent while the machine does not run. (An ssh host's services answer at its address.)
   */
  serviceAddress?: string
  /** Sandbox hosts: the ports their machine publishes on this machine's loopback. */
  ports?: PublishedPort[]
  /** Whether an SSH connection was made. */
  reachable: boolean
  durationMs: number
  /** What the host said; absent when it was not reached or its script failed. */
  facts?: StatusFacts
  /** Why there are no facts. */
  problem?: HostProblem
  /** Sandbox hosts: their machine, and its state as the sandbox's engine sees it. */
  machine?: {name: string; state: SandboxHostState}
  /** tk.yml hosts with file or docker provisioners: what drifted on the host, per provisioner (see DriftCheck). */
  drift?: ProvisionerDriftStatus[]
  /** Why drift could not be checked (root refused, say); the host's row is not failed for it. */
  driftError?: string
  /** The host's swarm node, when its engine is in a swarm (docs/swarm.md). */
  swarm?: NodeStatus
}

/** One provisioner's drift as tk status shows it. */
export interface ProvisionerDriftStatus {
  name: string
  type: 'file' | 'docker'
  /** What changed on the host since tk applied it: "container web missing". */
  drift: string[]
  /** What tk up would change for another reason (tk.yml changed, never applied). */
  pending?: string
}

/** Compares a tk.yml host's provisioners with the host (as root), given by the command: tk up's own drift check. */
export type DriftCheck = (target: Target, hosts: {login: SshHost; root: Host}) => Promise<ProvisionerDriftStatus[] | undefined>

export type StatusResult = FleetResult<HostStatus, {reachable: number; unreachable: number}, unknown> & {
  /** The swarms the hosts are in: managers reachable of total, quorum. */
  swarms?: ClusterStatus[]
}

/** The time a host gets to run the status script (its docker CLI, when it runs one, gives up after 3 s). */
const SCRIPT_TIMEOUT_MS = 20_000

/**
 * The hosts a status is about: the arguments (names, @groups, raw targets),
 * or every tk.yml host when there are none.
 */
export async function statusTargets(args: string[], configPath?: string): Promise<{targets: Target[]; config?: TkConfig}> {
  const [{findConfigFile}, {selectTargetsAndConfig}] = await Promise.all([import('../config/locate.js'), import('../fleet/host-connector.js')])
  if (args.length === 0 && findConfigFile({path: configPath}) === undefined) {
    throw new InputError(`no hosts given, and no tk.yml in ${process.cwd()} or any directory above it`, {
      hint: 'name hosts (tk status admin@web-1 web-2:2222), or run where a tk.yml lists them (tk init writes one)',
    })
  }
  return selectTargetsAndConfig(args.length === 0 ? [ALL_HOSTS] : args, configPath, {reachOnly: true})
}

export interface StatusOptions {
  concurrency?: number
  transport: TransportOptions
  drift?: DriftCheck
  /**
   * A host's element of --json's hosts as soon as it is final (tk status
   * --json-lines): as the host answers, or, for a swarm node, once its
   * managers' node list has been read after every host answered.
   */
  onHost?: (host: HostStatus) => void
}

export async function gatherStatus(targets: Target[], options: StatusOptions): Promise<StatusResult> {
  const byName = new Map(targets.map((target) => [target.name, target]))
  const [script, cliScript] = await Promise.all([boundScript('status-facts.sh'), boundScript('status-facts.sh', [], {TK_STATUS_DOCKER_CLI: '1'})])
  const machines = await sandboxMachines(targets)
  const sessions = new FleetSessions(targets, options.transport)
  // Each engine's swarm state, asked beside its version; the managers' node lists after.
  const swarmInfos = new Map<string, SwarmInfo>()
  const swarmEngines = new Map<string, SwarmEngine>()
  let swarm: Awaited<ReturnType<typeof swarmStatus>> | undefined
  let outcomes
  const hostStatus = (outcome: HostOutcome<Said>, node?: NodeStatus): HostStatus => {
    const durationMs = Math.round(outcome.durationMs)
    const status = machines.get(outcome.target)
    const machine = status ? {machine: {name: status.machine, state: status.state}, ...sandboxServices(status)} : {}
    if (outcome.status !== 'ok') {
      const error = outcomeError(outcome)
      return {
        name: outcome.target,
        address: status && status.state !== 'running' ? `sandbox ${status.machine}` : addressOf(byName.get(outcome.target)!, sessions),
        reachable: false,
        durationMs,
        problem: {reason: status && status.state !== 'running' ? 'not running' : problemReason(error), ...error},
        ...machine,
      }
    }
    const {address, ...said} = outcome.value
    return {name: outcome.target, address, reachable: true, durationMs, ...said, ...machine, ...(node ? {swarm: node} : {})}
  }
  // Swarm nodes' elements wait for their managers' node lists; the others are final as they finish.
  const onDone = options.onHost && ((outcome: HostOutcome<Said>) => {
    if (!swarmInfos.has(outcome.target)) options.onHost!(hostStatus(outcome))
  })
  try {
    outcomes = await runFleet(
      sessions.names,
      async (name): Promise<Said> => {
        const machine = machines.get(name)
        // A status never starts or creates a machine (connecting would start a stopped one).
        if (machine && machine.state !== 'running') throw machineNotRunning(machine)
        const access = await sessions.get(name).open()
        const host = access.login
        const address = formatAddress(host.connection.target)
        // Drift is read beside the status script, over the same connection.
        const drifting = checkDrift(options.drift, byName.get(name), access)
        const said = await runStatusScript(host, script, name)
        if (!said.facts?.engine.socket) return {address, ...said, ...(await drifting)}
        // The daemon runs and the login user may use it: ask it over this connection.
        const engine = engineAt(name, host, said.facts.engine.socket)
        const [answer, info] = await Promise.all([askEngineVersion((path) => host.connection.forwardOutStreamLocal(path), said.facts.engine.socket), swarmInfoOf(engine)])
        if (info && info.LocalNodeState !== 'inactive') {
          swarmInfos.set(name, info)
          swarmEngines.set(name, engine)
        }
        if (answer) return {address, facts: withEngineAnswer(said.facts, answer), ...(await drifting)}
        // No channel to the socket (forbidden by sshd, or nothing listens): the docker CLI on the host asks, and says which.
        return {address, ...(await runStatusScript(host, cliScript, name)), ...(await drifting)}
      },
      {concurrency: options.concurrency, onDone},
    )
    if (swarmInfos.size > 0) swarm = await swarmStatus(swarmInfos, swarmEngines)
  } finally {
    await sessions.close()
  }

  const hosts = outcomes.map((outcome) => hostStatus(outcome, swarm?.nodes.get(outcome.target)))
  if (options.onHost) for (const [index, outcome] of outcomes.entries()) if (swarmInfos.has(outcome.target)) options.onHost(hosts[index])
  return {
    hosts,
    summary: {
      reachable: hosts.filter((host) => host.reachable).length,
      unreachable: hosts.filter((host) => !host.reachable).length,
    },
    // A reached host with a problem (no engine answer, an unreadable script) counts like an unreachable one.
    exitCode: combineExitCodes(hosts.map((host) => host.problem?.exitCode ?? 0)),
    outcomes,
    ...(swarm ? {swarms: swarm.clusters} : {}),
  }
}

/** What a reached host said: its address as reached, its facts or why there are none, its drift. */
type Said = {address: string; facts?: StatusFacts; problem?: HostProblem} & Pick<HostStatus, 'drift' | 'driftError'>

/** The drift check's answer for the host, or why there is none; nothing for a host without a check. */
async function checkDrift(check: DriftCheck | undefined, target: Target | undefined, hosts: {login: SshHost; root: Host}): Promise<Pick<HostStatus, 'drift' | 'driftError'>> {
  if (!check || !target) return {}
  try {
    const drift = await check(target, hosts)
    return drift ? {drift} : {}
  } catch (error) {
    return {driftError: lastLine((error as Error).message)}
  }
}

/** Runs the status script; a failure or unreadable output is a problem of a reached host. */
async function runStatusScript(host: SshHost, script: string, name: string): Promise<{facts?: StatusFacts; problem?: HostProblem}> {
  const result = await host.run(script, {timeoutMs: SCRIPT_TIMEOUT_MS})
  // 255 is the transport's "no exit status came back" (seen now and then on a loaded machine); output up
  // to the end marker proves the script ran to its end all the same (set -e stops it before).
  const complete = result.code === 255 && /^@@tk:end$/m.test(result.stdout)
  if (result.code !== 0 && !complete) {
    const why =
      result.code === 124
        ? `did not finish within ${SCRIPT_TIMEOUT_MS / 1000} s`
        : result.code === 255 && !result.stderr.trim()
          ? `ended without an exit status (${result.stdout ? 'its output stops half-way' : 'no output'})`
          : `exited ${result.code}: ${lastLine(result.stderr) || 'no message'}`
    return {problem: {reason: 'script failed', message: `the status script on ${name} ${why}`, exitCode: ExitCode.FAILED}}
  }
  try {
    return {facts: parseStatusFacts(result.stdout)}
  } catch (error) {
    // Reached, but what it printed is not what the script prints.
    return {problem: {reason: 'script failed', message: `the status script's output on ${name} cannot be read: ${(error as Error).message}`, exitCode: ExitCode.FAILED}}
  }
}


/** Where a sandbox host's services answer from this machine (see HostStatus.serviceAddress). */
function sandboxServices(status: SandboxHostStatus): Pick<HostStatus, 'serviceAddress' | 'ports'> {
  const ports = status.publishedPorts ?? []
  const listed = ports.length > 0 ? {ports} : {}
  if (status.state !== 'running') return listed
  if (ports.length > 0) return {...listed, serviceAddress: ports.map((port) => publishedAddress(port)).join(', ')}
  return status.networkAddress ? {serviceAddress: status.networkAddress} : {}
}

/** user@host:port, always with the port (brackets around an IPv6 address). */
export function formatAddress(target: {user: string; hostname: string; port: number}): string {
  const host = target.hostname.includes(':') ? `[${target.hostname}]` : target.hostname
  return `${target.user}@${host}:${target.port}`
}

/** Where tk would have connected, for a host it could not reach: as HostConnector resolves it. */
function addressOf(target: Target, sessions: FleetSessions): string {
  if (target.provider !== 'ssh') return target.address
  try {
    const options = sessions.transportFor(target)
    const resolved = target.raw ? resolveTarget(target.address, options) : resolveTarget({host: target.address, user: target.user, port: target.port}, options)
    return formatAddress(resolved)
  } catch {
    return target.address
  }
}

/** The failure in a word or two, from its exit class and the transport's wording (src/transport/connection.ts). */
export function problemReason(failure: HostFailure): ProblemReason {
  if (failure.exitCode === ExitCode.AUTH) return 'auth'
  if (failure.exitCode === ExitCode.HOST_KEY) return 'host key'
  if (failure.exitCode === ExitCode.UNSUPPORTED) return 'unsupported'
  if (failure.exitCode !== ExitCode.CONNECTION) return 'error'
  const message = failure.message
  if (/\brefused\b/i.test(message)) return 'refused'
  if (/\btimed out\b/i.test(message)) return 'timeout'
  if (/cannot resolve host name/i.test(message)) return 'dns'
  if (/no route to host|network unreachable/i.test(message)) return 'no route'
  if (/\breset\b/i.test(message)) return 'reset'
  if (/\bclosed\b|\blost\b/i.test(message)) return 'closed'
  return 'error'
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.trim() ?? ''
}

/** The machines of the sandbox hosts among the targets, by host name: looked at, never started. */
async function sandboxMachines(targets: Target[]): Promise<Map<string, SandboxHostStatus>> {
  const sandboxTargets = targets.filter((target) => target.provider === 'sandbox')
  if (sandboxTargets.length === 0) return new Map()
  const {describeSandboxHosts} = await import('../providers/sandbox/fleet.js')
  return new Map((await describeSandboxHosts(sandboxTargets)).map((status) => [status.target, status]))
}

const MACHINE_STATES: Record<SandboxHostState, string> = {
  'engine-not-running': 'down with the sandbox engine (not running)',
  'not-created': 'not created yet',
  created: 'created but never started',
  running: 'running',
  paused: 'paused',
  stopped: 'stopped',
  unknown: 'in an unknown state',
}

function machineNotRunning(machine: SandboxHostStatus): UserError {
  return new ConnectionError(`sandbox machine ${machine.machine} is ${MACHINE_STATES[machine.state]}${machine.detail ? ` (${machine.detail})` : ''}`, {
    hint: 'tk up creates and starts it',
  })
}
