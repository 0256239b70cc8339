/**
 * Which packages make a working engine from a distribution's own sources.
 * Debian splits them differently per release: trixie moved the docker CLI
 * out of docker.io into docker-cli (docker.io only recommends it, and tk
 * installs without recommends), bullseye and bookworm still ship it inside.
 */
import type {HostFacts} from '../facts/host-facts.js'

export interface EnginePackages {
  /** Installed in every case. */
  required: string[]
  /** Installed when the host's sources offer them (decided on the host). */
  optional: string[]
  compose: string[]
}

export const ENGINE_PACKAGES = ['docker.io', 'containerd', 'runc', 'tini']

/** Engine packages known to count as an installed engine, whatever their source. */
export const ADOPTABLE_PACKAGES = ['docker.io', 'docker-ce', 'moby-engine']

export function isAptFamily(facts: HostFacts): boolean {
  const family = [facts.os.id, ...facts.os.idLike]
  return facts.packageManager === 'apt-get' && (family.includes('debian') || family.includes('ubuntu'))
}

export function distroPackages(facts: HostFacts): EnginePackages {
  const required = [...ENGINE_PACKAGES]
  const optional: string[] = []
  const debianMajor = facts.os.id === 'debian' ? Number(facts.os.versionId ?? Number.NaN) : Number.NaN
  if (debianMajor >= 13 || (facts.os.id === 'debian' && !facts.os.versionId)) required.push('docker-cli')
  else if (facts.os.id !== 'debian') optional.push('docker-cli')
  // AppArmor on but its tools missing stops containers from starting.
  if (facts.check.apparmorEnabled === 'Y' && !facts.check.commands.includes('apparmor_parser')) required.push('apparmor')
  return {required, optional, compose: ['docker-compose']}
}

/** How the engine on the host was installed, when one is: for adoption. */
export function installedEngine(facts: HostFacts): {source: string; version?: string} | undefined {
  for (const name of ADOPTABLE_PACKAGES) {
    if (facts.engine.packages[name]) return {source: name, version: facts.engine.packages[name]}
  }
  if (facts.engine.binaries.dockerd) return {source: `a dockerd at ${facts.engine.binaries.dockerd}`, version: facts.engine.server?.version}
  return undefined
}
