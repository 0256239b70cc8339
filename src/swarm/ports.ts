/**
 * The ports a swarm needs, checked before a host joins when a firewall is
 * active on it or on the manager it joins through: from the joining host,
 * a TCP connection to each reachable manager's 2377 (cluster management) and
 * 7946 (gossip). A port that cannot be reached refuses the join with one
 * line, before anything changes, instead of a node that joins half-way or
 * whose tasks cannot reach the others. UDP (7946, 4789) cannot be probed
 * this way: docs/swarm.md names them.
 */

/** What the check asks of a host: its active firewalls (as root), and which address:port pairs it cannot connect to. */
export interface PortProbe {
  firewalls(): Promise<string[]>
  unreachable(pairs: ReadonlyArray<{address: string; port: number}>): Promise<Array<{address: string; port: number; why: string}>>
}

/** A join refused for a port (as converge.ts's SwarmRefusal). */
export interface PortRefusal {
  target: string
  message: string
  hint: string
}

export const SWARM_TCP_PORTS = [2377, 7946] as const

/** "172.18.0.3:2377" -> "172.18.0.3"; "[fd00::3]:2377" -> "fd00::3". */
export function hostOfAddr(addr: string): string {
  const bracketed = /^\[(.*)\]:\d+$/.exec(addr)
  if (bracketed) return bracketed[1]
  const colon = addr.lastIndexOf(':')
  return colon > 0 && addr.indexOf(':') === colon ? addr.slice(0, colon) : addr
}

/**
 * Why `joiner` must not join through `manager` (at `managerAddrs`), or
 * undefined: nothing checked when neither has an active firewall.
 */
export async function swarmPortsRefusal(
  joiner: {name: string; ports?: PortProbe},
  manager: {name: string; ports?: PortProbe},
  managerAddrs: readonly string[],
): Promise<PortRefusal | undefined> {
  if (!joiner.ports || managerAddrs.length === 0) return undefined
  const [own, theirs] = await Promise.all([joiner.ports.firewalls(), manager.ports?.firewalls() ?? Promise.resolve([])])
  const active = [...own.map((name) => `${name} on ${joiner.name}`), ...theirs.map((name) => `${name} on ${manager.name}`)]
  if (active.length === 0) return undefined
  const pairs = managerAddrs.flatMap((addr) => SWARM_TCP_PORTS.map((port) => ({address: hostOfAddr(addr), port})))
  const blocked = await joiner.ports.unreachable(pairs)
  if (blocked.length === 0) return undefined
  const ports = blocked.map((each) => `${each.address} port ${each.port}/tcp (${each.why})`).join(', ')
  return {
    target: joiner.name,
    message: `${joiner.name} cannot reach the swarm's managers at ${ports}; firewall active: ${active.join(', ')}; tk does not join it`,
    hint: 'open 2377/tcp to the managers and 7946/tcp+udp, 4789/udp between all swarm hosts (docs/swarm.md), then run tk up again',
  }
}

/** swarm-port-probe.sh's lines: "ADDRESS PORT timeout|refused". */
export function parsePortProbe(stdout: string): Array<{address: string; port: number; why: string}> {
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length === 3 && /^\d+$/.test(fields[1]))
    .map(([address, port, why]) => ({address, port: Number(port), why: why === 'timeout' ? 'timed out' : 'refused'}))
}
