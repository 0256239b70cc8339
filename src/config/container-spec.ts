/**
 * The `docker run -p` and `-v` syntax of a docker provisioner's container,
 * checked as docker's own parsers check it (go-connections' ParsePortSpec,
 * the Linux volume parser), so that a tk.yml docker would refuse is refused
 * when the file is read: a mistake found only by `docker run` on the host
 * costs the old container's stop and restart and shows only on that host.
 * Each check returns what is wrong, in docker's words where it has them, or
 * undefined; the loader says where.
 */
import {isIP} from 'node:net'
import {posix} from 'node:path'

const PROTOCOLS = new Set(['tcp', 'udp', 'sctp'])

/** A port or range as docker takes it ("80", "8000-8010"); undefined when it is not one. */
function portRange(text: string): {start: number; end: number} | undefined {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text)
  if (!match) return undefined
  const start = Number(match[1])
  const end = match[2] === undefined ? start : Number(match[2])
  if (start > 65_535 || end > 65_535 || end < start) return undefined
  return {start, end}
}

/** What docker would refuse in a `-p` value, or undefined. */
export function portMappingProblem(text: string): string | undefined {
  const parts = text.split(':')
  const last = parts.at(-1)!
  const hostPort = parts.length >= 2 ? parts.at(-2)! : ''
  let ip = parts.length >= 3 ? parts.slice(0, -2).join(':') : ''
  const [containerPort, protocol = 'tcp', ...extra] = last.split('/')
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1)
  if (ip !== '' && isIP(ip) === 0) return `invalid IP address: ${ip}`
  if (containerPort === '') return `no container port in ${text}`
  const container = portRange(containerPort)
  if (!container) return `invalid containerPort: ${containerPort} (a port is 0 to 65535, a range LOW-HIGH)`
  if (hostPort !== '') {
    const host = portRange(hostPort)
    if (!host) return `invalid hostPort: ${hostPort} (a port is 0 to 65535, a range LOW-HIGH)`
    // docker takes a host range for one container port (it picks a free one), but not two ranges of different sizes.
    if (host.end - host.start !== container.end - container.start && container.end !== container.start) {
      return `invalid ranges specified for container and host ports: ${containerPort} and ${hostPort}`
    }
  }
  if (extra.length > 0 || !PROTOCOLS.has(protocol.toLowerCase())) return `invalid protocol in ${text} (tcp, udp or sctp)`
  return undefined
}

// Mount options of `-v` on Linux, by kind: docker takes at most one of each kind.
const MODE_KINDS: Record<string, string> = {
  rw: 'access',
  ro: 'access',
  z: 'label',
  Z: 'label',
  nocopy: 'copy',
  shared: 'propagation',
  rshared: 'propagation',
  slave: 'propagation',
  rslave: 'propagation',
  private: 'propagation',
  rprivate: 'propagation',
  consistent: 'consistency',
  cached: 'consistency',
  delegated: 'consistency',
}

/** Docker's local volume driver's names. */
const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]+$/

function modeProblem(mode: string): string | undefined {
  const seen = new Set<string>()
  for (const option of mode.split(',')) {
    const kind = MODE_KINDS[option]
    if (!kind) return `invalid mode: ${option} (ro, rw, z, Z, nocopy, shared, rshared, slave, rslave, private, rprivate)`
    if (seen.has(kind)) return `invalid mode: ${mode} (two options of one kind)`
    seen.add(kind)
  }
  return undefined
}

/** What docker would refuse in a `-v` value, or undefined. */
export function volumeProblem(text: string): string | undefined {
  const parts = text.split(':')
  if (parts.length > 3 || parts.some((part) => part === '')) return `invalid volume specification: ${text} (SOURCE:DESTINATION[:OPTIONS], or DESTINATION alone)`
  let source: string | undefined
  let destination: string
  let mode: string | undefined
  if (parts.length === 1) destination = parts[0]
  else if (parts.length === 2 && MODE_KINDS[parts[1].split(',')[0]]) return `invalid volume specification: ${text} (an anonymous volume takes no options)`
  else [source, destination, mode] = parts
  if (!posix.isAbsolute(destination)) return `invalid mount path: ${destination} must be absolute`
  if (source !== undefined && destination === '/') return `invalid volume specification: ${text} (the destination cannot be /)`
  if (source !== undefined && !posix.isAbsolute(source) && !VOLUME_NAME.test(source)) {
    return `${source} is not a volume name (letters, digits, "_", ".", "-") nor an absolute path: a host directory is given by its absolute path`
  }
  return mode === undefined ? undefined : modeProblem(mode)
}
