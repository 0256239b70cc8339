/**
 * tk up's swarm phase: the hosts of tk.yml's swarm: section brought to one
 * cluster. Facts first (each host's swarm state from its engine, the nodes
 * from a manager), then only what differs: start the swarm on the first
 * manager when there is none, join the others (the token read from a
 * manager and handed to the joining engine in the join request's body, both
 * over SSH), promote and demote with quorum kept, labels, availability,
 * autolock; with --prune, hosts taken out of swarm: leave it. A host in
 * another swarm is refused and left as it is. A re-run reads and does nothing.
 */
import type {SwarmConfig, SwarmNodeConfig} from '../config/types.js'
import {ConfigurationError, HostStateError} from '../errors/index.js'
import {type NodeSpec, type SwarmEngine, type SwarmInfo, type SwarmNode} from './engine-api.js'
import {type PortProbe, swarmPortsRefusal} from './ports.js'
import {removalLosesQuorum} from './quorum.js'

/** A label on each node naming the label keys tk set there, so a key taken out of tk.yml is taken off the node. */
export const MANAGED_LABELS = 'tk.labels'

/** One host as the swarm phase reaches it. */
export interface SwarmHost {
  name: string
  engine: SwarmEngine
  /** Selected on the command line: only these are changed; the others are read (a manager's tokens, the nodes). */
  selected: boolean
  /** The address other hosts reach it at, when tk.yml gives none (asked of the host only when it must join). */
  defaultAdvertise: () => Promise<string>
  /** The swarm port check before a join (ports.ts); absent: not checked. */
  ports?: PortProbe
}

export type SwarmActionKind = 'init' | 'join' | 'promote' | 'demote' | 'update' | 'autolock' | 'leave' | 'remove'

export interface SwarmAction {
  target: string
  action: SwarmActionKind
  detail: string
  /** Done, or (dry run) would be. */
  result: 'changed' | 'would-change'
}

export interface SwarmRefusal {
  target: string
  message: string
  hint?: string
}

export interface SwarmResult {
  dryRun: boolean
  changed: number
  actions: SwarmAction[]
  /** Hosts tk would not change, each with why (in another swarm, locked, quorum). */
  refused: SwarmRefusal[]
  notices: string[]
  /** The cluster after the run (absent when there is none, or in a dry run before it exists). */
  cluster?: {id: string; managers: number; reachableManagers: number; workers: number}
}

export interface SwarmConvergeOptions {
  dryRun: boolean
  prune: boolean
  onAction?: (action: SwarmAction) => void
  /** The unlock key, just made: for the user's terminal only, once. */
  onUnlockKey?: (key: string, manager: string) => void
}

interface Known {
  host: SwarmHost
  info: SwarmInfo
  want?: SwarmNodeConfig
}

const short = (id: string) => id.slice(0, 12)

/**
 * Converges the swarm. `members` are tk.yml's swarm nodes tk could reach
 * (converged by tk up, or only read when not selected); `others` the selected
 * hosts of tk.yml outside swarm: (for --prune).
 */
export async function convergeSwarm(desired: SwarmConfig, members: SwarmHost[], others: SwarmHost[], options: SwarmConvergeOptions): Promise<SwarmResult> {
  const result: SwarmResult = {dryRun: options.dryRun, changed: 0, actions: [], refused: [], notices: []}
  const act = (target: string, action: SwarmActionKind, detail: string) => {
    const done: SwarmAction = {target, action, detail, result: options.dryRun ? 'would-change' : 'changed'}
    result.actions.push(done)
    result.changed++
    options.onAction?.(done)
  }
  const refuse = (target: string, message: string, hint?: string) => result.refused.push({target, message, ...(hint ? {hint} : {})})
  const wanted = new Map(desired.nodes.map((node) => [node.name, node]))

  // Facts: every host's swarm state, in parallel (one request each over its connection).
  const read = async (host: SwarmHost): Promise<Known> => ({host, info: await host.engine.info(), want: wanted.get(host.name)})
  const [known, outside] = await Promise.all([Promise.all(members.map(read)), Promise.all(others.map(read))])

  const usable: Known[] = []
  for (const each of known) {
    const state = each.info.LocalNodeState
    if (state === 'locked') refuse(each.host.name, `${each.host.name} is a locked swarm manager (autolock): tk changes nothing on it`, 'unlock it with docker swarm unlock on the host, with the key you stored')
    else if (state === 'pending' || state === 'error') refuse(each.host.name, `${each.host.name}'s swarm state is ${state}${each.info.Error ? `: ${each.info.Error}` : ''}; tk changes nothing on it`, 'see docker info on the host')
    else usable.push(each)
  }

  // Which swarm is ours: the one tk.yml's managers manage. Two of them is a mistake tk cannot settle.
  const managing = usable.filter((each) => each.want?.role === 'manager' && each.info.LocalNodeState === 'active' && each.info.ControlAvailable && each.info.Cluster)
  const clusters = new Set(managing.map((each) => each.info.Cluster!.ID))
  if (clusters.size > 1) {
    const names = managing.map((each) => `${each.host.name} (${short(each.info.Cluster!.ID)})`)
    throw new HostStateError(`tk.yml's managers manage different swarms: ${names.join(', ')}; tk joins and changes nothing`, {hint: 'make the hosts of one of them leave it (docker swarm leave), or list only one swarm\'s managers under swarm.managers'})
  }

  let manager: Known | undefined = managing[0]
  const inactive = (each: Known) => each.info.LocalNodeState === 'inactive'
  if (!manager) {
    const first = usable.find((each) => each.want?.role === 'manager' && inactive(each) && each.host.selected)
    if (!first) {
      for (const each of usable) if (each.info.LocalNodeState === 'active') refuseOther(each)
      if (result.refused.length === 0) refuse(desired.nodes[0].name, 'no manager of tk.yml\'s swarm could start it', 'select a manager of swarm.managers on the command line (or run tk up for every host)')
      return result
    }
    const advertise = first.want!.advertise ?? (await first.host.defaultAdvertise())
    const started = `the swarm (advertise ${advertise}${desired.autolock ? ', autolock on' : ''})`
    if (options.dryRun) {
      act(first.host.name, 'init', `would start ${started}`)
      for (const each of usable) if (each !== first && each.want) (inactive(each) ? act(each.host.name, 'join', `would join as a ${each.want.role}`) : refuseOther(each))
      return result
    }
    await first.host.engine.init({advertiseAddr: advertise, defaultAddrPool: desired.defaultAddrPool, subnetSize: desired.subnetSize, autolock: desired.autolock})
    act(first.host.name, 'init', `started ${started}`)
    first.info = await first.host.engine.info()
    manager = first
    if (desired.autolock) options.onUnlockKey?.(await first.host.engine.unlockKey(), first.host.name)
  }
  const leader = manager.host.engine
  // The swarm's spec (autolock) is asked beside the node list: joins and node updates do not change it, and a re-run saves a round trip.
  const inspecting = leader.inspect()
  inspecting.catch(() => {}) // awaited below; a failure of the node list first must not leave it unhandled
  let nodes = await leader.nodes()
  const inCluster = (each: Known) => each.info.LocalNodeState === 'active' && nodes.some((node) => node.ID === each.info.NodeID)

  function refuseOther(each: Known): void {
    refuse(
      each.host.name,
      `${each.host.name} is already in another swarm (node ${short(each.info.NodeID)}${each.info.Cluster ? `, swarm ${short(each.info.Cluster.ID)}` : ''}); tk leaves it as it is`,
      'make it leave that swarm yourself (docker swarm leave on it), or take it out of swarm: in tk.yml',
    )
  }

  // Joins: managers one at a time (raft adds one member at a time), then workers together.
  const joining: Known[] = []
  for (const each of usable) {
    if (!each.want || each === manager || inCluster(each)) continue
    if (!inactive(each)) refuseOther(each)
    else if (each.host.selected) joining.push(each)
  }
  if (joining.length > 0) {
    const managerAddrs = nodes.filter((node) => node.ManagerStatus?.Reachability === 'reachable').map((node) => node.ManagerStatus!.Addr)
    const join = async (each: Known) => {
      const role = each.want!.role
      const advertise = each.want!.advertise ?? (await each.host.defaultAdvertise())
      const blocked = await swarmPortsRefusal(each.host, manager!.host, managerAddrs)
      if (blocked) return void refuse(blocked.target, blocked.message, blocked.hint)
      if (!options.dryRun) {
        // Read for this join and handed on in its body; never kept, printed or written.
        await each.host.engine.join({advertiseAddr: advertise, managers: managerAddrs, token: await leader.joinToken(role)})
        each.info = await each.host.engine.info()
      }
      act(each.host.name, 'join', `${options.dryRun ? 'would join' : 'joined'} as a ${role} (advertise ${advertise})`)
    }
    for (const each of joining.filter((one) => one.want!.role === 'manager')) await join(each) // eslint-disable-line no-await-in-loop -- one manager at a time
    await Promise.all(joining.filter((one) => one.want!.role === 'worker').map(join))
    if (!options.dryRun) nodes = await leader.nodes()
  }

  // Roles, labels, availability: promotions before demotions, so quorum holds on the way.
  const byId = new Map(nodes.map((node) => [node.ID, node]))
  const updates = usable
    .filter((each) => each.want && each.host.selected && byId.has(each.info.NodeID))
    .map((each) => ({each, node: byId.get(each.info.NodeID)!, spec: desiredSpec(byId.get(each.info.NodeID)!, each.want!)}))
    .filter((update) => update.spec)
    .sort((a, b) => rank(a.spec!.Role) - rank(b.spec!.Role))
  const roleChanged = new Set<string>()
  for (const {each, node, spec} of updates) {
    const demoting = node.Spec.Role === 'manager' && spec!.Role === 'worker'
    if (demoting) {
      // eslint-disable-next-line no-await-in-loop -- each demotion is judged on the managers as they are after the last
      const why = removalLosesQuorum(managerCount(await freshNodes()), {reachable: node.ManagerStatus?.Reachability === 'reachable'})
      if (why) {
        refuse(each.host.name, `demoting ${each.host.name} is refused: ${why}`, 'add managers first, or bring the unreachable ones back')
        continue
      }
    }
    if (!options.dryRun) await leader.updateNode(node, spec!) // eslint-disable-line no-await-in-loop -- one raft change at a time
    if (spec!.Role !== node.Spec.Role) roleChanged.add(node.ID)
    // A demoted manager lingers in the node list (unreachable, then gone) for a moment: the next demotion's quorum is judged once it is gone.
    if (demoting && !options.dryRun) await managersSettled(leader, roleChanged) // eslint-disable-line no-await-in-loop
    act(each.host.name, spec!.Role === node.Spec.Role ? 'update' : spec!.Role === 'manager' ? 'promote' : 'demote', describeChange(node.Spec, spec!))
  }

  // A promotion takes effect when the node has joined raft: wait for it (bounded), so the counts below and the next run's hold.
  if (!options.dryRun && roleChanged.size > 0) nodes = await managersSettled(leader, roleChanged)

  async function freshNodes(): Promise<SwarmNode[]> {
    return options.dryRun ? nodes : leader.nodes()
  }

  // Autolock on or off as tk.yml says.
  const swarm = await inspecting
  if (swarm.autolock !== desired.autolock) {
    if (!options.dryRun) await leader.updateSwarm(swarm, {autolock: desired.autolock})
    act(manager.host.name, 'autolock', `autolock ${desired.autolock ? 'on' : 'off'}`)
    if (desired.autolock && !options.dryRun) options.onUnlockKey?.(await leader.unlockKey(), manager.host.name)
  }

  await prune(outside)

  async function prune(hosts: Known[]): Promise<void> {
    const tkNodes = new Set([...known, ...hosts].map((each) => each.info.NodeID).filter(Boolean))
    for (const each of hosts) {
      if (!inCluster(each)) continue
      if (!options.prune) {
        result.notices.push(`${each.host.name} is in the swarm but not under swarm: in tk.yml (tk up --prune makes it leave)`)
        continue
      }
      const node = nodes.find((one) => one.ID === each.info.NodeID)!
      if (node.Spec.Role === 'manager') {
        // eslint-disable-next-line no-await-in-loop -- judged on the managers as the last change left them
        const why = removalLosesQuorum(managerCount(await freshNodes()), {reachable: node.ManagerStatus?.Reachability === 'reachable'})
        if (why) {
          refuse(each.host.name, `${each.host.name} cannot leave the swarm: ${why}`, 'add managers first')
          continue
        }
        if (!options.dryRun) await leader.updateNode(node, {...node.Spec, Role: 'worker'}) // eslint-disable-line no-await-in-loop
        act(each.host.name, 'demote', 'manager -> worker, to leave')
      }
      if (!options.dryRun) {
        await waitUntilWorker(each.host.engine) // eslint-disable-line no-await-in-loop
        await each.host.engine.leave() // eslint-disable-line no-await-in-loop
        await leader.removeNode(node.ID) // eslint-disable-line no-await-in-loop
      }
      act(each.host.name, 'leave', `${options.dryRun ? 'would leave' : 'left'} the swarm (no longer under swarm: in tk.yml)`)
    }
    for (const node of nodes) {
      if (tkNodes.has(node.ID)) continue
      const label = node.Description?.Hostname ?? short(node.ID)
      if (options.prune && node.Status.State === 'down' && node.Spec.Role === 'worker') {
        if (!options.dryRun) await leader.removeNode(node.ID) // eslint-disable-line no-await-in-loop
        act(manager!.host.name, 'remove', `${options.dryRun ? 'would remove' : 'removed'} node ${label} (down, not a host of tk.yml)`)
      } else {
        result.notices.push(`node ${label} (${short(node.ID)}) is in the swarm but is no host tk.yml names; tk leaves it`)
      }
    }
  }

  if (!options.dryRun && result.changed > 0) nodes = await managersSettled(leader, roleChanged)
  const count = managerCount(nodes)
  result.cluster = {id: swarm.id, managers: count.total, reachableManagers: count.reachable, workers: nodes.filter((node) => node.Spec.Role === 'worker').length}
  return result
}

const rank = (role: NodeSpec['Role']) => (role === 'manager' ? 0 : 1)

export function managerCount(nodes: readonly SwarmNode[]): {total: number; reachable: number} {
  const managers = nodes.filter((node) => node.ManagerStatus)
  return {total: managers.length, reachable: managers.filter((node) => node.ManagerStatus!.Reachability === 'reachable').length}
}

/**
 * The node's spec as tk.yml wants it, or undefined when it already is: role,
 * availability, and the labels tk set (others' labels kept; a key tk set
 * before and tk.yml no longer has is taken off).
 */
export function desiredSpec(node: SwarmNode, want: SwarmNodeConfig): NodeSpec | undefined {
  const labels = {...node.Spec.Labels}
  const before = (labels[MANAGED_LABELS] ?? '').split(',').filter(Boolean)
  for (const key of before) if (!(key in want.labels)) delete labels[key]
  Object.assign(labels, want.labels)
  const keys = Object.keys(want.labels).sort()
  if (keys.length > 0) labels[MANAGED_LABELS] = keys.join(',')
  else delete labels[MANAGED_LABELS]
  const spec: NodeSpec = {...node.Spec, Role: want.role, Availability: want.availability, Labels: labels}
  const same = spec.Role === node.Spec.Role && spec.Availability === node.Spec.Availability && sameLabels(spec.Labels, node.Spec.Labels ?? {})
  return same ? undefined : spec
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a)
  return keys.length === Object.keys(b).length && keys.every((key) => b[key] === a[key])
}

function describeChange(from: NodeSpec, to: NodeSpec): string {
  const parts: string[] = []
  if (from.Role !== to.Role) parts.push(`${from.Role} -> ${to.Role}`)
  if (from.Availability !== to.Availability) parts.push(`availability ${from.Availability} -> ${to.Availability}`)
  const fromLabels = from.Labels ?? {}
  const changed = Object.keys(to.Labels).filter((key) => key !== MANAGED_LABELS && fromLabels[key] !== to.Labels[key])
  const removed = Object.keys(fromLabels).filter((key) => key !== MANAGED_LABELS && !(key in to.Labels))
  if (changed.length > 0) parts.push(`labels ${changed.map((key) => `${key}=${to.Labels[key]}`).join(', ')}`)
  if (removed.length > 0) parts.push(`labels removed: ${removed.join(', ')}`)
  return parts.join('; ')
}

/**
 * The node list once roles have taken effect: every node whose role is manager a reachable manager,
 * and no node whose role is worker still listed as a manager; at most 30 s, then as it is.
 */
async function managersSettled(leader: SwarmEngine, changed: ReadonlySet<string>): Promise<SwarmNode[]> {
  let nodes = await leader.nodes()
  // Only the nodes tk changed are waited for: a manager that is down stays down, and is reported so.
  const settled = (node: SwarmNode) => !changed.has(node.ID) || (node.Spec.Role === 'manager' ? node.ManagerStatus?.Reachability === 'reachable' : !node.ManagerStatus)
  for (let attempt = 0; attempt < 120; attempt++) {
    if (nodes.every((node) => settled(node))) break
    await new Promise((resolve) => setTimeout(resolve, 250)) // eslint-disable-line no-await-in-loop -- polling, bounded
    nodes = await leader.nodes() // eslint-disable-line no-await-in-loop
  }
  return nodes
}

/** A demoted manager leaves only once its engine says it is a worker (a manager leaving would need --force). */
async function waitUntilWorker(engine: SwarmEngine): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    // eslint-disable-next-line no-await-in-loop -- polling, bounded (10 s)
    if (!(await engine.info()).ControlAvailable) return
    await new Promise((resolve) => setTimeout(resolve, 100)) // eslint-disable-line no-await-in-loop
  }
  throw new HostStateError(`${engine.name}: still a manager 10 s after its demotion; it did not leave the swarm`)
}

/** The advertise address from what the host's sshd saw: the address tk's connection arrived on (SSH_CONNECTION's third field). */
export function advertiseFromSshConnection(name: string, sshConnection: string): string {
  const address = sshConnection.trim().split(/\s+/)[2] ?? ''
  if (address === '' || address.startsWith('127.') || address === '::1' || address === '::ffff:127.0.0.1') {
    throw new ConfigurationError(`${name}: no advertise address: tk reaches it through ${address || 'an address it cannot see'}, which other hosts cannot use`, {
      hint: `set swarm.advertise.${name} in tk.yml to the address the other hosts reach it at`,
    })
  }
  return address.replace(/^::ffff:/, '')
}
