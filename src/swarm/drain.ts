/**
 * Engine restarts that keep a swarm's services up (tk upgrade, tk up with a
 * daemon option that restarts the engine). The engine's own drain returns
 * before the tasks have moved, so before a swarm node's engine goes down tk
 * checks that the other nodes can take its tasks (placement constraints,
 * max replicas per node, reservations) and that its managers keep quorum,
 * drains the node through a manager, waits until its service tasks are shut
 * down and their replacements run elsewhere, lets the restart happen, then
 * puts the node's availability back and waits until it is ready and its
 * global tasks run again. Swarm nodes go one at a time, workers first, then
 * managers; hosts outside the swarm are not held back.
 *
 * What is not guaranteed: plain containers (not service tasks) stop with the
 * engine, and a service of one replica is down while its task moves.
 */
import {HostStateError} from '../errors/index.js'
import type {SwarmConfig} from '../config/types.js'
import type {FleetSessions} from '../fleet/host-session.js'
import type {Availability, SwarmEngine, SwarmInfo, SwarmNode} from './engine-api.js'
import {managerCount} from './converge.js'
import {hasQuorum} from './quorum.js'
import {swarmEngineOf} from './index.js'

/** A node with what placement reads of it (GET /nodes gives it all). */
export type PlacedNode = SwarmNode & {
  Description?: {
    Hostname?: string
    Platform?: {OS?: string; Architecture?: string}
    Engine?: {Labels?: Record<string, string>}
    Resources?: {NanoCPUs?: number; MemoryBytes?: number}
  }
}

interface Resources {
  NanoCPUs?: number
  MemoryBytes?: number
}

/** A service as placement reads it (GET /services). */
export interface PlacedService {
  ID: string
  Spec: {
    Name: string
    Mode: {Replicated?: {Replicas?: number}; Global?: Record<string, never>; ReplicatedJob?: unknown; GlobalJob?: unknown}
    TaskTemplate: {Placement?: {Constraints?: string[]; MaxReplicas?: number}; Resources?: {Reservations?: Resources}}
  }
}

/** A task (GET /tasks). */
export interface PlacedTask {
  ID: string
  ServiceID: string
  NodeID?: string
  DesiredState: string
  Status: {State: string}
}

/** Task states in which a task holds (or is about to hold) its node. */
const LIVE = new Set(['new', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting', 'running'])

/** Whether a node meets one placement constraint ("node.labels.zone==a", "node.role!=manager"); an attribute tk cannot read counts as met. */
function meets(node: PlacedNode, constraint: string): boolean {
  const match = /^\s*([\w.-]+)\s*(==|!=)\s*(.*?)\s*$/.exec(constraint)
  if (!match) return true
  const [, key, operator, wanted] = match
  const lower = key.toLowerCase()
  let actual: string | undefined
  if (lower === 'node.id') actual = node.ID
  else if (lower === 'node.hostname') actual = node.Description?.Hostname
  else if (lower === 'node.role') actual = node.Spec.Role
  else if (lower === 'node.platform.os') actual = node.Description?.Platform?.OS
  else if (lower === 'node.platform.arch') actual = node.Description?.Platform?.Architecture
  else if (lower.startsWith('node.labels.')) actual = node.Spec.Labels[key.slice('node.labels.'.length)]
  else if (lower.startsWith('engine.labels.')) actual = node.Description?.Engine?.Labels?.[key.slice('engine.labels.'.length)]
  else return true
  const equal = actual !== undefined && (lower === 'node.hostname' || lower === 'node.role' || lower.startsWith('node.platform') ? actual.toLowerCase() === wanted.toLowerCase() : actual === wanted)
  return operator === '==' ? equal : !equal
}

const isGlobal = (service: PlacedService) => Boolean(service.Spec.Mode.Global || service.Spec.Mode.GlobalJob)

/**
 * Why the other nodes cannot take the tasks of `nodeId` (one line per
 * service), or [] when they can: a replicated service whose constraints only
 * that node meets, whose replicas exceed what the others may hold (max
 * replicas per node), or whose reservations do not fit in what the others
 * have free. Global services are not moved: the other nodes run their own.
 */
export function absorptionProblems(nodeId: string, nodes: readonly PlacedNode[], services: readonly PlacedService[], tasks: readonly PlacedTask[]): string[] {
  const problems: string[] = []
  const others = nodes.filter((node) => node.ID !== nodeId && node.Status.State === 'ready' && node.Spec.Availability === 'active')
  const live = tasks.filter((task) => task.NodeID && task.DesiredState === 'running' && LIVE.has(task.Status.State))
  // What each other node has left of its resources once its live tasks' reservations are taken.
  const reservation = new Map(services.map((service) => [service.ID, service.Spec.TaskTemplate.Resources?.Reservations ?? {}]))
  const free = new Map(
    others.map((node) => {
      const used = live.filter((task) => task.NodeID === node.ID).map((task) => reservation.get(task.ServiceID) ?? {})
      return [node.ID, {cpu: (node.Description?.Resources?.NanoCPUs ?? 0) - sum(used, 'NanoCPUs'), memory: (node.Description?.Resources?.MemoryBytes ?? 0) - sum(used, 'MemoryBytes')}]
    }),
  )
  for (const service of services) {
    if (isGlobal(service)) continue
    const moving = live.filter((task) => task.ServiceID === service.ID && task.NodeID === nodeId).length
    if (moving === 0) continue
    const name = service.Spec.Name
    const placement = service.Spec.TaskTemplate.Placement ?? {}
    const eligible = others.filter((node) => (placement.Constraints ?? []).every((constraint) => meets(node, constraint)))
    if (eligible.length === 0) {
      problems.push(`service ${name}: no other ready, active node meets its placement constraints${placement.Constraints?.length ? ` (${placement.Constraints.join(', ')})` : ''}`)
      continue
    }
    const replicas = service.Spec.Mode.Replicated?.Replicas ?? moving
    if (placement.MaxReplicas && eligible.length * placement.MaxReplicas < replicas) {
      problems.push(`service ${name}: ${replicas} replicas, at most ${placement.MaxReplicas} per node, and only ${eligible.length} other node(s) may run them`)
      continue
    }
    const wanted = reservation.get(service.ID) ?? {}
    if (!wanted.NanoCPUs && !wanted.MemoryBytes) continue
    // Each moving task on the node with most room left that can hold it.
    for (let placed = 0; placed < moving; placed++) {
      const room = eligible
        .map((node) => ({node, left: free.get(node.ID)!}))
        .filter(({left}) => left.cpu >= (wanted.NanoCPUs ?? 0) && left.memory >= (wanted.MemoryBytes ?? 0))
        .sort((a, b) => b.left.memory - a.left.memory || b.left.cpu - a.left.cpu)[0]
      if (!room) {
        problems.push(`service ${name}: the other nodes lack the CPU or memory its reservations ask for ${moving - placed} of its task(s)`)
        break
      }
      room.left.cpu -= wanted.NanoCPUs ?? 0
      room.left.memory -= wanted.MemoryBytes ?? 0
    }
  }
  return problems
}

function sum(items: readonly Resources[], key: keyof Resources): number {
  return items.reduce((total, item) => total + (item[key] ?? 0), 0)
}

/**
 * Why taking the manager `nodeId` down for a while would lose the swarm's
 * quorum, or undefined when it would not. A swarm of one manager has no
 * quorum to keep: its control plane pauses during the restart (its tasks
 * keep running on the workers), which docs/swarm.md says.
 */
export function restartLosesQuorum(nodeId: string, nodes: readonly SwarmNode[]): string | undefined {
  const node = nodes.find((one) => one.ID === nodeId)
  if (!node?.ManagerStatus) return undefined
  const count = managerCount(nodes)
  if (count.total === 1) return undefined
  const up = node.ManagerStatus.Reachability === 'reachable'
  if (hasQuorum({total: count.total, reachable: count.reachable - (up ? 1 : 0)})) return undefined
  const down = nodes.filter((one) => one.ManagerStatus && one.ManagerStatus.Reachability !== 'reachable' && one.ID !== nodeId).map((one) => one.Description?.Hostname ?? one.ID.slice(0, 12))
  return `restarting its engine would leave ${count.reachable - (up ? 1 : 0)} of the ${count.total} managers reachable, not a majority: the swarm would lose quorum${down.length > 0 ? ` (unreachable now: ${down.join(', ')})` : ''}`
}

export interface SwarmDrainOptions {
  /** Drain even when the other nodes cannot take all of a node's tasks (--force-drain). */
  force: boolean
  /** How long a drain, and a node's return, may take. Default 300 s. */
  timeoutMs?: number
  /** Between two looks at the tasks. Default 1 s. */
  pollMs?: number
  /** What a node's drain is doing, as it goes. */
  onProgress?: (target: string, text: string) => void
}

interface Member {
  name: string
  engine: SwarmEngine
  info: SwarmInfo
}

/** The swarm nodes a command may restart, as a SwarmDrain reaches them. */
export interface SwarmNodes {
  /** The role of `name` in its swarm (undefined: not a swarm node); only for the order and whom to wait for. */
  role(name: string): 'manager' | 'worker' | undefined
  /** `name` as a swarm node, asked when its engine is about to restart (undefined: it is not one after all). */
  member(name: string): Promise<Member | undefined>
  /** The managers tk may ask, in the order to try them. */
  managers(): Promise<Member[]>
}

/**
 * The swarm nodes among a command's hosts, taken through their engines'
 * restarts one at a time: workers first, then managers. Only the restart
 * is held back; the rest of a host's work (facts, package lists,
 * provisioners) runs beside the others'.
 */
export class SwarmDrain {
  private gate: Promise<void> = Promise.resolve()
  /** Workers of the command not yet done: a manager's restart waits for them. */
  private readonly unfinishedWorkers: Set<string>
  private wake: Array<() => void> = []

  constructor(
    private readonly nodes: SwarmNodes,
    names: readonly string[],
    private readonly options: SwarmDrainOptions,
  ) {
    this.unfinishedWorkers = new Set(names.filter((name) => nodes.role(name) === 'worker'))
  }

  /** `names` in the order to roll them: hosts outside the swarm first (as given), then workers, then managers. */
  order(names: readonly string[]): string[] {
    const rank = (name: string) => {
      const role = this.nodes.role(name)
      return role === 'manager' ? 2 : role === 'worker' ? 1 : 0
    }
    return [...names].sort((a, b) => rank(a) - rank(b))
  }

  /**
   * Runs `work` on `name`; `work` calls the function it is given right
   * before the engine goes down, which waits for the node's turn (one
   * node at a time; a manager after every worker), drains it and waits
   * until its tasks run elsewhere. After `work`, however it ends, a drained
   * node gets its availability back and tk waits until it is ready and its
   * global tasks run; then the next node may go.
   */
  async around<T>(name: string, work: (beforeRestart: () => Promise<void>) => Promise<T>): Promise<T> {
    if (!this.nodes.role(name)) return work(async () => {})
    let release: (() => void) | undefined
    let member: Member | undefined
    let drained: {nodeId: string; availability: Availability} | undefined
    try {
      let result: T
      try {
        result = await work(async () => {
          if (release) return
          member = await this.nodes.member(name)
          if (!member) return
          // A manager goes down only after every worker of the run is done (its quorum is the swarm's last line).
          if (this.nodes.role(name) === 'manager') await this.workersDone()
          release = await this.turn()
          drained = await this.drain(member)
        })
      } catch (error) {
        if (member && drained) await this.restore(member, drained).catch(() => {})
        throw error
      }
      if (member && drained) await this.restore(member, drained)
      return result
    } finally {
      this.finished(name)
      release?.()
    }
  }

  private finished(name: string): void {
    if (!this.unfinishedWorkers.delete(name)) return
    for (const wake of this.wake.splice(0)) wake()
  }

  private async workersDone(): Promise<void> {
    while (this.unfinishedWorkers.size > 0) {
      // eslint-disable-next-line no-await-in-loop -- until the last worker is done
      await new Promise<void>((resolve) => {
        this.wake.push(resolve)
      })
    }
  }

  /** Waits for the nodes before; returns what lets the next one go. */
  private async turn(): Promise<() => void> {
    const previous = this.gate
    let release!: () => void
    this.gate = new Promise((resolve) => {
      release = resolve
    })
    await previous
    return release
  }

  private progress(name: string, text: string): void {
    this.options.onProgress?.(name, text)
  }

  /** A reachable manager to ask, other than `name` when there is one. */
  async manager(name: string): Promise<SwarmEngine> {
    const managers = await this.nodes.managers()
    for (const candidate of [...managers.filter((member) => member.name !== name), ...managers.filter((member) => member.name === name)]) {
      // eslint-disable-next-line no-await-in-loop -- the first that answers
      const info = await candidate.engine.info().catch(() => undefined)
      if (info?.ControlAvailable) return candidate.engine
    }
    throw new HostStateError(`${name}: no manager of its swarm answers among the hosts tk reaches`, {hint: 'name a manager of the swarm in tk.yml (swarm: managers) so tk can drain the node through it'})
  }

  private async drain(member: Member): Promise<{nodeId: string; availability: Availability}> {
    const {name} = member
    const nodeId = member.info.NodeID
    const manager = await this.manager(name)
    const [nodes, services, tasks] = await Promise.all([manager.nodes(), manager.services<PlacedService>(), manager.tasks<PlacedTask>({'desired-state': ['running']})])
    const node = nodes.find((one) => one.ID === nodeId)
    if (!node) throw new HostStateError(`${name}: its node ${nodeId.slice(0, 12)} is not in the swarm's node list`)
    const quorum = restartLosesQuorum(nodeId, nodes)
    if (quorum) throw new HostStateError(`${name}: ${quorum}; its engine was not restarted`, {hint: 'bring the unreachable managers back first'})
    const availability = node.Spec.Availability
    if (availability === 'drain') {
      this.progress(name, 'swarm: already drained')
      return {nodeId, availability}
    }
    const problems = absorptionProblems(nodeId, nodes as PlacedNode[], services, tasks)
    if (problems.length > 0) {
      if (!this.options.force) throw cannotAbsorb(name, problems)
      this.progress(name, `swarm: draining though the other nodes cannot take all its tasks (--force-drain): ${problems.join('; ')}`)
    }
    // The replicated services it runs, and how many of their tasks run in the swarm now: as many must run elsewhere.
    const live = tasks.filter((task) => task.Status.State === 'running')
    const moving = services
      .filter((service) => !isGlobal(service) && live.some((task) => task.ServiceID === service.ID && task.NodeID === nodeId))
      .map((service) => ({id: service.ID, running: live.filter((task) => task.ServiceID === service.ID).length}))
    await manager.updateNode(node, {...node.Spec, Availability: 'drain'})
    this.progress(name, `swarm: draining through ${manager.name}`)
    try {
      await this.waitMoved(member, manager, moving)
    } catch (error) {
      // Not left drained: the node takes tasks again as before, its engine untouched.
      const again = (await manager.nodes().catch(() => [])).find((one) => one.ID === nodeId)
      const back = again ? await manager.updateNode(again, {...again.Spec, Availability: availability}).then(() => true, () => false) : false
      if (error instanceof HostStateError && back) throw new HostStateError(error.message.replace('the node stays drained', `the node is ${availability} again`), {hint: 'see docker service ps on a manager for why its tasks did not move'})
      throw error
    }
    return {nodeId, availability}
  }

  /** Until no service task is live on the node and each replicated service it ran has its replicas running elsewhere (bounded). */
  private async waitMoved(member: Member, manager: SwarmEngine, services: ReadonlyArray<{id: string; running: number}>): Promise<void> {
    const {name} = member
    const nodeId = member.info.NodeID
    const started = performance.now()
    const limit = this.options.timeoutMs ?? 300_000
    let said = ''
    for (;;) {
      // eslint-disable-next-line no-await-in-loop -- polling until the tasks moved
      const tasks = await manager.tasks<PlacedTask>({'desired-state': ['running', 'shutdown']})
      const onNode = tasks.filter((task) => task.NodeID === nodeId && LIVE.has(task.Status.State))
      const running = tasks.filter((task) => task.DesiredState === 'running' && task.Status.State === 'running')
      const short = services.reduce((total, service) => total + Math.max(0, service.running - running.filter((task) => task.ServiceID === service.id && task.NodeID !== nodeId).length), 0)
      const moving = onNode.length + short
      const waited = Math.round((performance.now() - started) / 1000)
      if (moving === 0) {
        this.progress(name, `swarm: drained in ${waited}s, its tasks run on other nodes`)
        return
      }
      const text = `swarm: draining, ${moving} task(s) still moving`
      if (text !== said || waited % 5 === 0) this.progress(name, `${text}, ${waited}s`)
      said = text
      if (performance.now() - started > limit) {
        throw new HostStateError(`${name}: its tasks did not move off it within ${Math.round(limit / 1000)}s (${moving} still moving); the node stays drained and its engine was not restarted`, {
          hint: 'see docker service ps on a manager; make the node active again with docker node update --availability active',
        })
      }
      // eslint-disable-next-line no-await-in-loop
      await sleep(this.options.pollMs ?? 1000)
    }
  }

  /** The node's availability back as it was, once it is ready; then until its global tasks run (bounded). */
  private async restore(member: Member, drained: {nodeId: string; availability: Availability}): Promise<void> {
    const {name} = member
    const started = performance.now()
    const limit = this.options.timeoutMs ?? 300_000
    const late = (what: string) => new HostStateError(`${name}: ${what} within ${Math.round(limit / 1000)}s after its engine restart`, {hint: 'see docker node ls on a manager'})
    let said = ''
    const say = (text: string, waited: number) => {
      if (text !== said || waited % 5 === 0) this.progress(name, `${text}, ${waited}s`)
      said = text
    }
    for (let restored = false; ; ) {
      if (performance.now() - started > limit) throw late(restored ? 'its global service tasks did not run again' : 'its node was not ready again')
      // eslint-disable-next-line no-await-in-loop -- polling until the node is back
      const manager = await this.manager(name).catch(() => undefined)
      // eslint-disable-next-line no-await-in-loop
      const nodes = manager ? await manager.nodes().catch(() => undefined) : undefined
      const node = nodes?.find((one) => one.ID === drained.nodeId)
      if (manager && node?.Status.State === 'ready') {
        if (!restored) {
          if (node.Spec.Availability !== drained.availability) {
            // eslint-disable-next-line no-await-in-loop
            await manager.updateNode(node, {...node.Spec, Availability: drained.availability})
          }
          restored = true
          this.progress(name, `swarm: ready and ${drained.availability} again`)
        }
        // eslint-disable-next-line no-await-in-loop
        const missing = await this.globalTasksMissing(manager, node as PlacedNode)
        if (missing === 0) {
          this.progress(name, `swarm: back in ${Math.round((performance.now() - started) / 1000)}s, its global tasks run`)
          return
        }
        say(`swarm: ${missing} global task(s) starting`, Math.round((performance.now() - started) / 1000))
      } else {
        say('swarm: waiting for the node to be ready', Math.round((performance.now() - started) / 1000))
      }
      // eslint-disable-next-line no-await-in-loop
      await sleep(this.options.pollMs ?? 1000)
    }
  }

  /** How many global services that should run on `node` have no running task there yet. */
  private async globalTasksMissing(manager: SwarmEngine, node: PlacedNode): Promise<number> {
    if (node.Spec.Availability !== 'active') return 0
    const [services, tasks] = await Promise.all([manager.services<PlacedService>(), manager.tasks<PlacedTask>({node: [node.ID], 'desired-state': ['running']})])
    return services
      .filter((service) => service.Spec.Mode.Global && (service.Spec.TaskTemplate.Placement?.Constraints ?? []).every((constraint) => meets(node, constraint)))
      .filter((service) => !tasks.some((task) => task.ServiceID === service.ID && task.Status.State === 'running')).length
  }
}

function cannotAbsorb(name: string, problems: string[]): HostStateError {
  return new HostStateError(`${name}: the other swarm nodes cannot take its tasks: ${problems.join('; ')}; its engine was not restarted`, {
    hint: 'add room or relax the placement, or pass --force-drain to restart it anyway (those tasks stop until it is back)',
  })
}

const sleep = (ms: number) =>
  new Promise((resolve) => {
    setTimeout(resolve, ms)
  })

/** A host's swarm membership, from its engine (undefined: in no swarm, or its engine cannot be asked). */
async function memberOf(sessions: FleetSessions, name: string): Promise<Member | undefined> {
  const engine = await swarmEngineOf(sessions.get(name)).catch(() => undefined)
  const info = await engine?.info().catch(() => undefined)
  return engine && info && (info.LocalNodeState === 'active' || info.LocalNodeState === 'locked') && info.NodeID ? {name, engine, info} : undefined
}

/**
 * tk upgrade's swarm nodes: the selected hosts whose engines say they are in
 * a swarm (`managersBeyond`, tk.yml's other swarm hosts, are asked only as
 * managers to drain through), checked before anything happens: each
 * manager's restart keeps quorum, and the others can take each node's tasks
 * (unless force). Undefined when none of `names` is a swarm node.
 */
export async function prepareSwarmDrain(sessions: FleetSessions, names: readonly string[], managersBeyond: readonly string[], options: SwarmDrainOptions): Promise<SwarmDrain | undefined> {
  const asked = await Promise.all(names.map((name) => memberOf(sessions, name)))
  const members = new Map(asked.filter((member): member is Member => member !== undefined).map((member) => [member.name, member]))
  if (members.size === 0) return undefined
  const beyond = (await Promise.all(managersBeyond.filter((name) => !members.has(name)).map((name) => memberOf(sessions, name)))).filter((member): member is Member => member?.info.ControlAvailable === true)
  const managers = [...members.values()].filter((member) => member.info.ControlAvailable).concat(beyond)
  const drain = new SwarmDrain(
    {
      role: (name) => {
        const member = members.get(name)
        return member ? (member.info.ControlAvailable ? 'manager' : 'worker') : undefined
      },
      member: async (name) => members.get(name),
      managers: async () => managers,
    },
    names,
    options,
  )
  const problems: string[] = []
  const byCluster = new Map<string, Member[]>()
  for (const member of members.values()) byCluster.set(member.info.Cluster?.ID ?? member.info.NodeID, [...(byCluster.get(member.info.Cluster?.ID ?? member.info.NodeID) ?? []), member])
  for (const group of byCluster.values()) {
    // eslint-disable-next-line no-await-in-loop -- one manager per cluster
    const manager = await drain.manager(group[0].name).catch((error: Error) => error)
    if (manager instanceof Error) {
      problems.push(manager.message)
      continue
    }
    // eslint-disable-next-line no-await-in-loop
    const [nodes, services, tasks] = await Promise.all([manager.nodes(), manager.services<PlacedService>(), manager.tasks<PlacedTask>({'desired-state': ['running']})])
    for (const member of group) {
      const quorum = restartLosesQuorum(member.info.NodeID, nodes)
      if (quorum) problems.push(`${member.name}: ${quorum}`)
      const absorb = absorptionProblems(member.info.NodeID, nodes as PlacedNode[], services, tasks)
      if (absorb.length > 0 && !options.force) problems.push(cannotAbsorb(member.name, absorb).message.replace(/; its engine was not restarted$/, ''))
    }
  }
  if (problems.length > 0) {
    throw new HostStateError(`refused, nothing was changed: ${problems.join('; ')}`, {hint: 'bring unreachable managers back first; for tasks the other nodes cannot take, add room or pass --force-drain'})
  }
  return drain
}

/**
 * tk up's swarm nodes: tk.yml's swarm: section says which hosts are nodes
 * and their roles (no round trip: a re-run that restarts nothing asks
 * nothing more); a node's engine is asked only when it is about to restart,
 * and checked then (quorum, the others taking its tasks). The sessions must
 * include tk.yml's swarm managers.
 */
export function swarmDrainFromConfig(sessions: FleetSessions, names: readonly string[], swarm: SwarmConfig, options: SwarmDrainOptions): SwarmDrain {
  const roles = new Map(swarm.nodes.map((node) => [node.name, node.role]))
  return new SwarmDrain(
    {
      role: (name) => roles.get(name),
      member: (name) => memberOf(sessions, name),
      managers: async () =>
        (await Promise.all(swarm.nodes.filter((node) => node.role === 'manager' && sessions.names.includes(node.name)).map((node) => memberOf(sessions, node.name)))).filter(
          (member): member is Member => member?.info.ControlAvailable === true,
        ),
    },
    names,
    options,
  )
}
