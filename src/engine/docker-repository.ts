/**
 * Docker's own apt repository (download.docker.com/linux or a mirror of it):
 * where it is for a host, the names of well-known mirrors, Docker's version
 * scheme (`5:28.1.1-1~debian.12~bookworm`) and the packages Docker's own
 * install puts in for an engine version.
 *
 * Versions: the upstream part is compared as semver, so that a range `24.0`
 * means 24.0.x and never matches the `24.04` in an Ubuntu suffix
 * (`5:26.1.3-1~ubuntu.24.04~noble`). Docker's pre-releases are written with
 * `~` (`5:28.0.0~rc.1-1~debian.12~bookworm`): as semver they are
 * pre-releases (28.0.0-rc.1), outside a range unless the channel is test.
 * Which of several versions is newest is Debian's order, as apt decides.
 */
import type {SemVer} from 'semver'
import coerce from 'semver/functions/coerce.js'
import parse from 'semver/functions/parse.js'
import satisfies from 'semver/functions/satisfies.js'

import {UsageError} from '../errors/index.js'
import {parseDebianVersion, sortDebianVersionsDescending} from './debian-version.js'

export const DOCKER_REPOSITORY_URL = 'https://download.docker.com/linux'

/** Docker's release signing key (docs.docker.com/engine/install/debian). */
export const DOCKER_KEY_FINGERPRINT = '9DC858229FC7DD38854AE2D88D81803C0EBFCD88'

/** Well-known mirrors of Docker's repository, by the name tk.yml and --repository take. */
export const DOCKER_MIRRORS: Readonly<Record<string, string>> = {
  aliyun: 'https://mirrors.aliyun.com/docker-ce/linux',
  'azure-china': 'https://mirror.azure.cn/docker-ce/linux',
  tuna: 'https://mirrors.tuna.tsinghua.edu.cn/docker-ce/linux',
  ustc: 'https://mirrors.ustc.edu.cn/docker-ce/linux',
  huaweicloud: 'https://mirrors.huaweicloud.com/docker-ce/linux',
  tencent: 'https://mirrors.cloud.tencent.com/docker-ce/linux',
}

export type DockerChannel = 'stable' | 'test'
export const DOCKER_CHANNELS: readonly DockerChannel[] = ['stable', 'test']

/** The distributions Docker's repository has a tree for. */
export type DockerDistro = 'debian' | 'ubuntu' | 'raspbian'
const DISTROS: readonly DockerDistro[] = ['debian', 'ubuntu', 'raspbian']

/** The repository's base URL (the `linux` level) for a mirror name or a URL; a usage error for anything else. */
export function repositoryBaseUrl(given: string | undefined, what = '--repository'): string {
  if (given === undefined || given === '' || given === 'docker') return DOCKER_REPOSITORY_URL
  const mirror = DOCKER_MIRRORS[given]
  if (mirror) return mirror
  let url: URL
  try {
    url = new URL(given)
  } catch {
    throw new UsageError(`${what} ${JSON.stringify(given)} is neither a URL nor a mirror tk knows`, {
      hint: `give the URL of Docker's repository or a mirror of it (the level above debian/ and ubuntu/), or one of ${Object.keys(DOCKER_MIRRORS).join(', ')}`,
    })
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`${what} ${given}: only http and https repositories are supported`)
  if (url.username || url.password) throw new UsageError(`${what}: a repository URL with a user name or password would be written to the host's apt sources`, {hint: "use apt's auth.conf.d on the hosts for a private repository's credentials"})
  return url.toString().replace(/\/+$/, '')
}

/** The distribution tree of the repository a host uses, from its os-release ID; undefined when Docker has none. */
export function repositoryDistro(osId: string): DockerDistro | undefined {
  return DISTROS.find((distro) => distro === osId)
}

export interface RepositoryLocation {
  /** The URI of the apt source: BASE/DISTRO. */
  uri: string
  suite: string
  component: DockerChannel
  arch: string
  /** Where apt reads the release's index from. */
  releaseUrl: string
  packagesUrl: string
}

export function repositoryLocation(base: string, distro: DockerDistro, codename: string, channel: DockerChannel, arch: string): RepositoryLocation {
  const uri = `${base}/${distro}`
  return {
    uri,
    suite: codename,
    component: channel,
    arch,
    releaseUrl: `${uri}/dists/${codename}/Release`,
    packagesUrl: `${uri}/dists/${codename}/${channel}/binary-${arch}/Packages`,
  }
}

/** The deb822 source tk writes to /etc/apt/sources.list.d/docker.sources. */
export function debSource(location: RepositoryLocation, keyPath: string): string {
  return [
    '# Written by tk (method: docker): Docker\'s apt repository.',
    'Types: deb',
    `URIs: ${location.uri}`,
    `Suites: ${location.suite}`,
    `Components: ${location.component}`,
    `Architectures: ${location.arch}`,
    `Signed-By: ${keyPath}`,
    '',
  ].join('\n')
}

/** A fingerprint as 40 (or 64) upper-case hex digits, spaces and a 0x removed; undefined when it is not one. */
export function normalizeFingerprint(text: string): string | undefined {
  const compact = text.replace(/\s+/g, '').replace(/^0x/i, '').toUpperCase()
  return /^([0-9A-F]{40}|[0-9A-F]{64})$/.test(compact) ? compact : undefined
}

/** A fingerprint in groups of four, as gpg prints it. */
export function formatFingerprint(fingerprint: string): string {
  return fingerprint.replace(/(.{4})/g, '$1 ').trim()
}

/** The upstream part of a Docker package version as semver: 28.1.1 of `5:28.1.1-1~debian.12~bookworm`, 28.0.0-rc.1 of `5:28.0.0~rc.1-1~…`. */
export function dockerUpstreamSemver(version: string): SemVer | undefined {
  let upstream: string
  try {
    upstream = parseDebianVersion(version).upstream
  } catch {
    return undefined
  }
  return parse(upstream.replace('~', '-')) ?? coerce(upstream) ?? undefined
}

export function dockerVersionInRange(version: string, range: string, channel: DockerChannel = 'stable'): boolean {
  const upstream = dockerUpstreamSemver(version)
  return upstream !== undefined && satisfies(upstream, range, {includePrerelease: channel === 'test'})
}

/** The offered versions within the range (any, without one), newest first in Debian's order. */
export function dockerVersionsInRange(offered: Iterable<string>, range: string | undefined, channel: DockerChannel = 'stable'): string[] {
  const list = [...offered].filter((version) => {
    if (range !== undefined) return dockerVersionInRange(version, range, channel)
    return channel === 'test' || dockerUpstreamSemver(version)?.prerelease.length === 0
  })
  return sortDebianVersionsDescending(list)
}

/** The engine packages Docker installs at the engine's own version. */
export const ENGINE_SAME_VERSION = ['docker-ce', 'docker-ce-cli', 'docker-ce-rootless-extras'] as const
/** Everything of Docker's repository that counts as the engine (pinned), besides the plugins. */
export const DOCKER_PINNED = [...ENGINE_SAME_VERSION, 'containerd.io'] as const
/** Packages of Docker's repository tk looks at. */
export const DOCKER_REPOSITORY_PACKAGES = [...DOCKER_PINNED, 'docker-buildx-plugin', 'docker-compose-plugin'] as const

/**
 * The packages Docker's own install puts in for an engine version: the CLI
 * and containerd.io always; the compose plugin and rootless extras from
 * 20.10; buildx from 23.0.
 */
export function dockerPackageSet(engineVersion: string): string[] {
  const upstream = dockerUpstreamSemver(engineVersion)
  const at = (major: number, minor: number) => upstream !== undefined && (upstream.major > major || (upstream.major === major && upstream.minor >= minor))
  return [
    'docker-ce',
    'docker-ce-cli',
    'containerd.io',
    ...(at(20, 10) ? ['docker-ce-rootless-extras', 'docker-compose-plugin'] : []),
    ...(at(23, 0) ? ['docker-buildx-plugin'] : []),
  ]
}

/** The packages to install for an engine version, as PACKAGE=VERSION: the shared choice of tk provision and tk bundle. */
export interface DockerPackageChoice {
  /** apt-get install arguments, PACKAGE=VERSION: the engine's own at its version, the rest at their newest. */
  packages: string[]
  /** PACKAGE=VERSION pairs to pin at priority 1001 (DOCKER_PINNED). */
  pin: string[]
  /** Packages of the set the repository does not offer (left out). */
  missing: string[]
  /** A package that cannot be left out and is not offered (at the engine's version, for the CLI). */
  lacking?: 'docker-ce-cli' | 'containerd.io'
}

/**
 * Which packages, at which versions, for docker-ce at `version`: docker-ce,
 * docker-ce-cli and containerd.io always, then `packages` (Docker's own set
 * for the version when absent); docker-ce, its CLI and rootless extras at the
 * engine's version, the others at the newest offered. Pure.
 */
export function chooseDockerPackages(offered: (name: string) => string[], version: string, packages?: string[]): DockerPackageChoice {
  const wanted = [...new Set(['docker-ce', 'docker-ce-cli', 'containerd.io', ...(packages ?? dockerPackageSet(version))])]
  const chosen: string[] = []
  const missing: string[] = []
  let lacking: DockerPackageChoice['lacking']
  for (const name of wanted) {
    if ((ENGINE_SAME_VERSION as readonly string[]).includes(name)) {
      if (offered(name).includes(version)) chosen.push(`${name}=${version}`)
      else if (name === 'docker-ce-cli') lacking ??= name
      else missing.push(name)
      continue
    }
    const [newest] = sortDebianVersionsDescending(offered(name))
    if (newest) chosen.push(`${name}=${newest}`)
    else if (name === 'containerd.io') lacking ??= name
    else missing.push(name)
  }
  const pin = chosen.filter((pair) => (DOCKER_PINNED as readonly string[]).includes(pair.split('=')[0]!))
  return {packages: chosen, pin, missing, ...(lacking ? {lacking} : {})}
}
