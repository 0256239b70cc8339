/** Human output of tk up's swarm phase: a line per change, the cluster's line, notices and refusals. */
import type {SwarmAction, SwarmResult} from '../swarm/index.js'
import type {UpSwarm} from '../up/index.js'
import type {Style} from './style.js'

export function swarmActionLine(action: SwarmAction, style: Style): string {
  const mark = action.result === 'changed' ? style.green('changed') : style.yellow('would change')
  return `swarm ${action.target}: ${action.action} ${mark} ${action.detail}`
}

/** The cluster in one line: "swarm abc123def456: 3 managers (3 reachable, quorum held), 2 workers". */
export function clusterLine(cluster: NonNullable<SwarmResult['cluster']>, style: Style): string {
  const quorum = cluster.reachableManagers > cluster.managers / 2
  const held = quorum ? style.green('quorum held') : style.red('quorum lost')
  return `swarm ${cluster.id.slice(0, 12)}: ${cluster.managers} manager${cluster.managers === 1 ? '' : 's'} (${cluster.reachableManagers} reachable, ${held}), ${cluster.workers} worker${cluster.workers === 1 ? '' : 's'}`
}

/** What to print after the hosts: stdout lines, and the lines for stderr (refusals, a failure). */
export function renderSwarm(swarm: UpSwarm, style: Style): {out: string[]; err: string[]} {
  if ('error' in swarm) return {out: [], err: [`tk: swarm: ${swarm.error.message}`, ...(swarm.error.hint ? [`  ${swarm.error.hint}`] : [])]}
  const out = swarm.notices.map((notice) => style.yellow(`note: ${notice}`))
  if (swarm.cluster) out.push(clusterLine(swarm.cluster, style))
  else if (swarm.dryRun && swarm.changed > 0) out.push(`swarm: ${swarm.changed} change${swarm.changed === 1 ? '' : 's'} would be made`)
  const err = swarm.refused.flatMap((refusal) => [`tk: ${refusal.message}`, ...(refusal.hint ? [`  ${refusal.hint}`] : [])])
  return {out, err}
}
