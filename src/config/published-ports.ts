/**
 * A sandbox host's published ports (tk.yml `ports:`), Docker's
 * "[HOST_IP:]HOST_PORT:CONTAINER_PORT[/PROTOCOL]" with the host side on the
 * workstation's loopback only: a sandbox machine is for the person at this
 * machine, never for the network around it. No host address means 127.0.0.1.
 */
export interface PublishedPort {
  /** A 127.x.x.x address of this machine. */
  hostIp: string
  hostPort: number
  containerPort: number
  protocol: 'tcp' | 'udp'
}

const SPEC = /^(?:(\d{1,3}(?:\.\d{1,3}){3}):)?(\d{1,5}):(\d{1,5})(?:\/(tcp|udp))?$/

export const LOOPBACK = '127.0.0.1'

/** The spec parsed, or why it is not one (a sentence without the spec in it). */
export function parsePublishedPort(spec: string): PublishedPort | {problem: string} {
  const match = SPEC.exec(spec)
  if (!match) return {problem: 'write it as "HOST_PORT:MACHINE_PORT" or "127.0.0.1:HOST_PORT:MACHINE_PORT" (optionally /udp)'}
  const [, ip, hostPort, containerPort, protocol] = match
  const hostIp = ip ?? LOOPBACK
  const octets = hostIp.split('.').map(Number)
  if (octets.some((octet) => octet > 255)) return {problem: `${hostIp} is not an IPv4 address`}
  if (octets[0] !== 127) return {problem: `a sandbox machine's ports are published on this machine's loopback only (127.x.x.x), not on ${hostIp}`}
  for (const port of [hostPort, containerPort]) {
    if (Number(port) < 1 || Number(port) > 65_535) return {problem: `${port} is not a port (1-65535)`}
  }
  return {hostIp, hostPort: Number(hostPort), containerPort: Number(containerPort), protocol: (protocol ?? 'tcp') as 'tcp' | 'udp'}
}

/** One canonical line: "127.0.0.1:8081:8080/tcp". */
export function formatPublishedPort(port: PublishedPort): string {
  return `${port.hostIp}:${port.hostPort}:${port.containerPort}/${port.protocol}`
}

/** Where a published port answers on this machine: "127.0.0.1:8081" (udp: "127.0.0.1:5353/udp"). */
export function publishedAddress(port: PublishedPort): string {
  return `${port.hostIp}:${port.hostPort}${port.protocol === 'udp' ? '/udp' : ''}`
}

/** Canonical and order-free: two lists publish the same when their keys are equal. */
export function publishedPortsKey(ports: readonly PublishedPort[]): string {
  return [...new Set(ports.map((port) => formatPublishedPort(port)))].sort().join(',')
}

/** The list back from its key (a machine's label); entries that do not parse are left out. */
export function parsePublishedPortsKey(key: string | undefined): PublishedPort[] {
  if (!key) return []
  return key.split(',').flatMap((spec) => {
    const port = parsePublishedPort(spec)
    return 'problem' in port ? [] : [port]
  })
}

/** Whether two bindings would take the same socket on this machine (0 clashes with none: there is no 0 here). */
export function sameSocket(a: PublishedPort, b: PublishedPort): boolean {
  return a.hostPort === b.hostPort && a.protocol === b.protocol && a.hostIp === b.hostIp
}
