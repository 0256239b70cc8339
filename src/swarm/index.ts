/**
 * The swarm phase of a command on a fleet: tk.yml's swarm hosts reached
 * through the command's own host sessions (no connection of its own), their
 * engines asked through the SSH connection's stream-local channel.
 */
import {loadConfig} from '../config/index.js'
import type {SwarmConfig, TkConfig} from '../config/types.js'
import {ConfigurationError, InputError} from '../errors/index.js'
import {type FleetSessions, type HostSession, withSessions} from '../fleet/host-session.js'
import {engineSocketFromDaemonJson} from '../proxy/engine-socket.js'
import {hostTarget, type Target} from '../targets/index.js'
import type {TransportOptions} from '../transport/connection.js'
import {boundScript, hostScript} from '../transport/host-scripts.js'
import type {SshHost} from '../transport/ssh-host.js'
import {advertiseFromSshConnection, convergeSwarm, type SwarmConvergeOptions, type SwarmHost, type SwarmResult} from './converge.js'
import {SwarmEngine} from './engine-api.js'
import {parsePortProbe, type PortProbe} from './ports.js'

import {rotateJoinTokens, type RotateTokensResult} from './rotate.js'

export type {SwarmAction, SwarmRefusal, SwarmResult} from './converge.js'
export type {RotateTokensResult} from './rotate.js'
export {swarmInfoOf, swarmStatus, type ClusterStatus, type NodeStatus} from './status.js'

/** A host's engine API through its session's login connection, at the socket its tk.yml daemon options name. */
export async function swarmEngineOf(session: HostSession): Promise<SwarmEngine> {
  const {login} = await session.open()
  return engineAt(session.name, login, engineSocketFromDaemonJson(JSON.stringify(session.target.host?.engine.daemon ?? {})))
}

/** The engine API at `socket` on a host, through its login connection. */
export function engineAt(name: string, login: SshHost, socket: string): SwarmEngine {
  return new SwarmEngine({name, user: login.connection.target.user, socket, request: (request) => login.requestUnixSocket(socket, request)})
}

/** The swarm hosts of tk.yml that `targets` leaves out: the swarm phase reads them (a manager's tokens) though it changes none. */
export function swarmHostsBeyond(config: TkConfig, targets: readonly Target[]): string[] {
  const selected = new Set(targets.map((target) => target.name))
  return (config.swarm?.nodes ?? []).map((node) => node.name).filter((name) => !selected.has(name))
}

/**
 * Converges tk.yml's swarm over the sessions: `selected` are the hosts named
 * on the command line, `ready` those of them tk up converged (a selected host
 * that failed is left out of the swarm phase; one not selected is only read).
 */
export async function upSwarm(
  swarm: SwarmConfig,
  sessions: FleetSessions,
  hosts: {selected: ReadonlySet<string>; ready: ReadonlySet<string>},
  options: SwarmConvergeOptions,
): Promise<SwarmResult> {
  const {selected, ready} = hosts
  const memberNames = new Set(swarm.nodes.map((node) => node.name))
  const host = async (name: string): Promise<SwarmHost> => {
    const session = sessions.get(name)
    return {
      name,
      engine: await swarmEngineOf(session),
      selected: ready.has(name),
      defaultAdvertise: async () => {
        const {login} = await session.open()
        const said = await login.run('printf "%s" "$SSH_CONNECTION"')
        return advertiseFromSshConnection(name, said.stdout)
      },
      ports: portProbeOf(session),
    }
  }
  const members = await Promise.all(swarm.nodes.map((node) => node.name).filter((name) => ready.has(name) || !selected.has(name)).map(host))
  const others = await Promise.all([...ready].filter((name) => !memberNames.has(name)).map(host))
  return convergeSwarm(swarm, members, others, options)
}

/**
 * tk swarm rotate-tokens: tk.yml read (it must have a swarm: section), the
 * join tokens of `roles` rotated on the first of its managers that is an
 * active manager, through the engine's API over SSH.
 */
export async function rotateSwarmTokens(request: {configPath?: string; roles: ReadonlyArray<'worker' | 'manager'>; dryRun: boolean; transport: TransportOptions}): Promise<RotateTokensResult> {
  const config = await loadConfig({path: request.configPath, required: true})
  if (!config) throw new InputError('no tk.yml found')
  if (!config.swarm) throw new ConfigurationError(`${config.displayName} has no swarm: section: there are no join tokens of tk's to rotate`, {hint: 'see docs/swarm.md'})
  const managers = config.swarm.nodes.filter((node) => node.role === 'manager')
  const targets = managers.map((node) => hostTarget(config.hosts.find((host) => host.name === node.name)!, config.file))
  return withSessions(targets, request.transport, async (sessions) =>
    rotateJoinTokens(
      managers.map((node) => ({name: node.name, engine: async () => swarmEngineOf(sessions.get(node.name))})),
      request.roles,
      {dryRun: request.dryRun},
    ),
  )
}

/** The swarm port check's questions to a host: its firewalls as root, the probe as the login user. */
function portProbeOf(session: HostSession): PortProbe {
  // Asked once per run: a manager is asked for each host that joins through it.
  let firewalls: Promise<string[]> | undefined
  return {
    firewalls: async () => {
      firewalls ??= (async () => {
        const {root} = await session.open()
        const said = await root.run(await hostScript('swarm-firewall.sh'))
        return said.stdout.split('\n').map((line) => line.trim()).filter(Boolean)
      })()
      return firewalls
    },
    unreachable: async (pairs) => {
      const {login} = await session.open()
      const said = await login.run(await boundScript('swarm-port-probe.sh', pairs.flatMap((pair) => [pair.address, String(pair.port)])), {timeoutMs: 30_000})
      return parsePortProbe(said.stdout)
    },
  }
}
