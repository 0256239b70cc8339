/**
 * A fleet's swarm as tk status shows it: each host's role, node state,
 * availability and manager reachability (from a manager's node list), and a
 * line per cluster (managers reachable of total, quorum held or not). Read
 * only; one GET /info per host (beside the status script) and one GET /nodes
 * per cluster.
 */
import type {NodeRole, SwarmEngine, SwarmInfo, SwarmNode} from './engine-api.js'
import {managerCount} from './converge.js'
import {hasQuorum} from './quorum.js'

export interface NodeStatus {
  /** The engine's own swarm state: inactive, active, locked, pending, error. */
  local: SwarmInfo['LocalNodeState']
  clusterId?: string
  nodeId?: string
  role?: NodeRole
  /** The node's state as the managers see it: ready, down, ... */
  state?: SwarmNode['Status']['State']
  availability?: SwarmNode['Spec']['Availability']
  /** Managers only. */
  reachability?: 'reachable' | 'unreachable' | 'unknown'
  leader?: boolean
}

export interface ClusterStatus {
  id: string
  managers: number
  reachableManagers: number
  workers: number
  quorum: boolean
}

/** Each host's swarm state from its engine (undefined when the engine cannot be asked). */
export async function swarmInfoOf(engine: SwarmEngine): Promise<SwarmInfo | undefined> {
  return engine.info().catch(() => undefined)
}

/**
 * The hosts' nodes and their clusters, from their infos and one manager of
 * each cluster (`engines` by host name, for the managers).
 */
export async function swarmStatus(infos: ReadonlyMap<string, SwarmInfo>, engines: ReadonlyMap<string, SwarmEngine>): Promise<{nodes: Map<string, NodeStatus>; clusters: ClusterStatus[]}> {
  const nodes = new Map<string, NodeStatus>()
  const managersByCluster = new Map<string, string>()
  for (const [name, info] of infos) {
    nodes.set(name, {local: info.LocalNodeState, ...(info.NodeID ? {nodeId: info.NodeID} : {}), ...(info.Cluster?.ID ? {clusterId: info.Cluster.ID} : {})})
    if (info.ControlAvailable && info.Cluster?.ID && !managersByCluster.has(info.Cluster.ID)) managersByCluster.set(info.Cluster.ID, name)
  }
  const clusters: ClusterStatus[] = []
  await Promise.all(
    [...managersByCluster].map(async ([id, manager]) => {
      const list = await engines.get(manager)!.nodes().catch(() => undefined)
      if (!list) return
      const count = managerCount(list)
      clusters.push({id, managers: count.total, reachableManagers: count.reachable, workers: list.length - count.total, quorum: hasQuorum(count)})
      for (const [name, status] of nodes) {
        const node = list.find((one) => one.ID === status.nodeId)
        if (!node) continue
        nodes.set(name, {
          ...status,
          clusterId: id,
          role: node.Spec.Role,
          state: node.Status.State,
          availability: node.Spec.Availability,
          ...(node.ManagerStatus ? {reachability: node.ManagerStatus.Reachability, leader: Boolean(node.ManagerStatus.Leader)} : {}),
        })
      }
    }),
  )
  return {nodes, clusters: clusters.sort((a, b) => a.id.localeCompare(b.id))}
}
