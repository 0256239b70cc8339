/**
 * Raft's arithmetic for a swarm's managers: a change to the managers is safe
 * only when a majority of them is still reachable after it. Pure, so the
 * cases a real cluster rarely shows (a manager already down) are unit-tested.
 */

export interface ManagerCount {
  /** Managers in the swarm. */
  total: number
  /** Of them, reachable now. */
  reachable: number
}

/** Whether the managers hold a majority (the swarm can change anything at all). */
export function hasQuorum(count: ManagerCount): boolean {
  return count.total > 0 && count.reachable > count.total / 2
}

/** How many managers may be lost before quorum is: (n - 1) / 2. */
export function faultTolerance(total: number): number {
  return total > 0 ? Math.floor((total - 1) / 2) : 0
}

/**
 * Why taking one manager away (demoting it, or it leaving) would lose
 * quorum, or undefined when it is safe. `reachable` says whether that manager
 * is itself reachable now.
 */
export function removalLosesQuorum(count: ManagerCount, leaving: {reachable: boolean}): string | undefined {
  const after = {total: count.total - 1, reachable: count.reachable - (leaving.reachable ? 1 : 0)}
  if (after.total === 0) return 'it is the swarm\'s last manager'
  if (!hasQuorum(after)) return `${after.reachable} of the ${after.total} managers left would be reachable, not a majority: the swarm would lose quorum`
  return undefined
}
