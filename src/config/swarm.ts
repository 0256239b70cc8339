/**
 * tk.yml's swarm: section as resolved: which hosts are managers and workers
 * (names and @groups), each node's labels and availability (its groups',
 * then its own), and the checks a JSON Schema cannot make — an odd number of
 * managers, no host both manager and worker, names that exist, and no
 * daemon option that breaks a swarm.
 */
import type {ConfigPath} from './errors.js'
import type {HostConfig, NodeAvailability, SwarmConfig, SwarmFile, SwarmNodeConfig} from './types.js'

export interface SwarmResolveContext {
  hosts: HostConfig[]
  /** Names and @groups to host names, failing at `path` for one that is not in the file. */
  select: (names: string[], path: ConfigPath, indexed?: boolean) => string[]
  fail: (path: ConfigPath, message: string, hint: string, key?: boolean) => never
}

export function resolveSwarm(file: SwarmFile, context: SwarmResolveContext): SwarmConfig {
  const {fail} = context
  const managers = context.select(file.managers, ['swarm', 'managers'])
  const workers = file.workers ? context.select(file.workers, ['swarm', 'workers']) : []
  const both = workers.find((name) => managers.includes(name))
  if (both) fail(['swarm', 'workers'], `${both} is both a manager and a worker`, 'name each host once: a manager also runs tasks unless its availability is drain')
  // Raft needs a majority: an even number of managers tolerates no more failures than one fewer.
  if (managers.length % 2 === 0) {
    fail(['swarm', 'managers'], `${managers.length} managers (${managers.join(', ')}): the number of managers must be odd`, 'use 1, 3, 5 or 7 managers: an even number tolerates no more failures than one fewer, and splits into halves that both lose quorum')
  }
  const members = new Set([...managers, ...workers])
  const byName = new Map(context.hosts.map((host) => [host.name, host]))
  for (const name of Object.keys(file.advertise ?? {})) {
    if (!members.has(name)) fail(['swarm', 'advertise', name], `${name} is not a manager or worker of the swarm`, 'advertise addresses are for swarm nodes: add the host under swarm.managers or swarm.workers', true)
  }
  const perNode = <T>(key: 'labels' | 'availability', map: Record<string, T> | undefined): Map<string, T[]> => {
    const found = new Map<string, T[]>()
    // Groups first, then hosts: a host's own setting wins.
    const entries = Object.entries(map ?? {}).sort(([a], [b]) => Number(!a.startsWith('@')) - Number(!b.startsWith('@')))
    for (const [selector, value] of entries) {
      for (const name of context.select([selector], ['swarm', key, selector], false)) {
        if (!members.has(name)) {
          if (selector.startsWith('@')) continue
          fail(['swarm', key, selector], `${name} is not a manager or worker of the swarm`, `${key} are for swarm nodes: add the host under swarm.managers or swarm.workers`, true)
        }
        found.set(name, [...(found.get(name) ?? []), value])
      }
    }
    return found
  }
  const labels = perNode('labels', file.labels)
  const availability = perNode('availability', file.availability)
  const node = (name: string, role: SwarmNodeConfig['role']): SwarmNodeConfig => {
    const host = byName.get(name)!
    // live-restore keeps containers running without their daemon; swarm mode refuses to start with it.
    if (host.engine.daemon['live-restore'] === true) {
      fail(['swarm'], `${name} has engine.daemon live-restore: true, which Docker does not allow in swarm mode`, 'remove live-restore from the daemon options of swarm hosts (services are kept up by the swarm instead)')
    }
    const advertise = file.advertise?.[name]
    return {
      name,
      role,
      ...(advertise ? {advertise} : {}),
      labels: Object.assign({}, ...(labels.get(name) ?? [])) as Record<string, string>,
      availability: (availability.get(name) ?? []).at(-1) ?? ('active' satisfies NodeAvailability),
    }
  }
  return {
    nodes: [...managers.map((name) => node(name, 'manager')), ...workers.map((name) => node(name, 'worker'))],
    ...(file.defaultAddrPool ? {defaultAddrPool: file.defaultAddrPool} : {}),
    ...(file.subnetSize === undefined ? {} : {subnetSize: file.subnetSize}),
    autolock: file.autolock ?? false,
  }
}
