/**
 * `method: docker`: the engine from Docker's apt repository or a mirror of
 * it. Three parts, in the order a run uses them:
 *
 * 1. loadDockerRepository (on this machine, before any host is touched): the
 *    repository's URL and channel, and its signing key, read or fetched and
 *    trusted only when its fingerprint is the one expected (Docker's, or the
 *    one tk.yml names beside a key of the user's own).
 * 2. probeDockerRepository (on the host, read-only): what the repository
 *    serves for the host's release and architecture, and which versions; a
 *    release or architecture it does not serve is one line, before anything
 *    is written.
 * 3. planDockerInstall (pure) and applyDockerInstall: the versions (docker-ce,
 *    docker-ce-cli and rootless extras at one version, the newest within
 *    engine.version), the pin, and host-scripts/docker-repo-install.sh.
 */
import {readFile} from 'node:fs/promises'

import {
  type DockerChannel,
  DOCKER_KEY_FINGERPRINT,
  DOCKER_REPOSITORY_PACKAGES,
  DOCKER_REPOSITORY_URL,
  chooseDockerPackages,
  dockerVersionsInRange,
  formatFingerprint,
  normalizeFingerprint,
  repositoryBaseUrl,
  repositoryDistro,
  repositoryLocation,
  type RepositoryLocation,
} from '../engine/docker-repository.js'
import {readOpenPgpPublicKey, OpenPgpKeyError} from '../engine/openpgp-key.js'
import {sortDebianVersionsDescending} from '../engine/debian-version.js'
import {HostStateError, InputError, UnsupportedHostError, UsageError} from '../errors/index.js'
import type {HostFacts} from '../facts/host-facts.js'
import {FactSections} from '../facts/sections.js'
import type {Host} from '../transport/host.js'
import type {RepositoryRequest} from './desired-engine.js'
import {boundScript} from '../transport/host-scripts.js'


/** The repository a host's engine comes from, its key checked. */
export interface DockerRepositoryChoice {
  /** The base URL (the level above debian/ and ubuntu/). */
  url: string
  channel: DockerChannel
  key: {source: string; fingerprint: string; binary: Buffer}
  /** Packages instead of Docker's own set for the version. */
  packages?: string[]
}

const loaded = new Map<string, Promise<DockerRepositoryChoice>>()

/** The repository of a request, its key read and checked once per run for all hosts that share it. */
export function loadDockerRepository(request: RepositoryRequest): Promise<DockerRepositoryChoice> {
  const id = JSON.stringify(request)
  let pending = loaded.get(id)
  if (!pending) {
    pending = loadOnce(request)
    loaded.set(id, pending)
  }
  return pending
}

async function loadOnce(request: RepositoryRequest): Promise<DockerRepositoryChoice> {
  const url = repositoryBaseUrl(request.url, 'the repository')
  let expected = DOCKER_KEY_FINGERPRINT
  if (request.fingerprint !== undefined) {
    const normalized = normalizeFingerprint(request.fingerprint)
    if (!normalized) throw new UsageError(`the repository key's fingerprint ${JSON.stringify(request.fingerprint)} is not 40 hex digits`, {hint: 'copy it from gpg --show-keys KEYFILE'})
    expected = normalized
  } else if (request.key !== undefined) {
    throw new UsageError(`the repository key ${request.key} has no fingerprint to check it against`, {hint: 'give its fingerprint (engine.repository.fingerprint in tk.yml, or --repository-fingerprint)'})
  }
  // Docker's key is published beside each distribution's tree; a mirror copies it.
  const source = request.key ?? `${url}/debian/gpg`
  const data = await readKey(source)
  let key
  try {
    key = await readOpenPgpPublicKey(data)
  } catch (error) {
    if (error instanceof OpenPgpKeyError) throw new InputError(`the repository key ${source} is not a usable OpenPGP public key: ${error.message}; nothing was written to any host`)
    throw error
  }
  if (key.fingerprint !== expected) {
    throw new InputError(`the repository key ${source} has fingerprint ${formatFingerprint(key.fingerprint)}, not ${formatFingerprint(expected)}: refused, nothing was written to any host`, {
      hint:
        request.fingerprint === undefined
          ? `that is not Docker's key: check the repository${url === DOCKER_REPOSITORY_URL ? '' : ' (is it a mirror of Docker\'s?)'}, or name its own key and fingerprint`
          : 'check the key and the fingerprint beside it',
    })
  }
  return {url, channel: request.channel ?? 'stable', key: {source, fingerprint: key.fingerprint, binary: key.binary}, ...(request.packages ? {packages: request.packages} : {})}
}

async function readKey(source: string): Promise<Buffer> {
  if (/^https?:\/\//i.test(source)) {
    // Plain http is acceptable here: the fingerprint, not the transport, is what makes the key trusted.
    let response: Response
    try {
      response = await fetch(source, {signal: AbortSignal.timeout(30_000)})
    } catch (error) {
      throw new InputError(`cannot fetch the repository key ${source}: ${(error as Error).message}`)
    }
    if (!response.ok) throw new InputError(`cannot fetch the repository key ${source}: HTTP ${response.status}`)
    return Buffer.from(await response.arrayBuffer())
  }
  try {
    return await readFile(source)
  } catch (error) {
    throw new InputError(`cannot read the repository key ${source}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`)
  }
}

/** What the repository serves the host, read on the host before anything is written. */
export interface RepositoryProbe {
  location: RepositoryLocation
  /** Versions per package, as the repository's index lists them. */
  offered: Record<string, string[]>
}

/** The repository's tree for the host; a host Docker's repository has none for is refused in one line. */
function hostTree(target: string, facts: HostFacts): {distro: NonNullable<ReturnType<typeof repositoryDistro>>; codename: string} {
  const distro = repositoryDistro(facts.os.id)
  if (!distro || facts.packageManager !== 'apt-get') {
    throw new UnsupportedHostError(`${target} runs ${facts.os.prettyName ?? facts.os.id}; Docker's apt repository serves Debian, Ubuntu and Raspbian`, {
      hint: 'use method: distro or script for this host',
    })
  }
  if (!facts.os.codename) throw new UnsupportedHostError(`${target}: its os-release names no VERSION_CODENAME, which Docker's repository is organised by`)
  return {distro, codename: facts.os.codename}
}

export async function probeDockerRepository(target: string, host: Host, facts: HostFacts, choice: DockerRepositoryChoice, aptEnv: Record<string, string> = {}): Promise<RepositoryProbe> {
  const {distro, codename} = hostTree(target, facts)
  const uri = `${choice.url}/${distro}`
  const result = await host.run(await boundScript('docker-repo-probe.sh', [uri, codename, choice.channel, ...DOCKER_REPOSITORY_PACKAGES], aptEnv), {timeoutMs: 5 * 60_000})
  const sections = new FactSections(result.stdout)
  if (result.code !== 0 || !sections.has('end')) {
    throw new HostStateError(`${target}: reading ${uri} from the host failed (exit ${result.code}): ${result.stderr.trim().split('\n').slice(-2).join(' | ') || 'no output'}`)
  }
  const arch = sections.lines('arch')[0] ?? ''
  const location = repositoryLocation(choice.url, distro, codename, choice.channel, arch)
  const release = sections.lines('release')
  const field = (name: string) => release.find((line) => line.startsWith(`${name}:`))?.slice(name.length + 1).trim().split(/\s+/) ?? []
  const notServed = (what: string) =>
    new UnsupportedHostError(`${target}: ${uri} does not serve ${what}; nothing was changed on the host`, {hint: 'use a repository or mirror that serves this release, or method: distro'})
  if (release[0]?.startsWith('missing')) {
    const message = release[0].slice('missing'.length).trim()
    if (/404|not found/i.test(message)) throw notServed(`${distro} ${codename} (no dists/${codename}/Release)`)
    throw new HostStateError(`${target}: cannot fetch ${location.releaseUrl} from the host: ${message || 'no answer'}; nothing was changed on the host`, {
      hint: 'check that the host reaches the repository (a proxy in apt.conf.d applies), or pick a mirror it reaches',
    })
  }
  if (!field('Components').includes(choice.channel)) throw notServed(`the ${choice.channel} channel for ${codename}`)
  if (!field('Architectures').includes(arch)) throw notServed(`${arch} for ${codename}`)
  const offered: Record<string, string[]> = {}
  for (const line of sections.lines('offered')) {
    const [name, version] = line.trim().split(/\s+/)
    if (name && version) (offered[name] ??= []).push(version)
  }
  if (!offered['docker-ce']?.length) throw notServed(`docker-ce for ${codename} ${arch} (${choice.channel})`)
  return {location, offered}
}

export interface DockerInstall {
  repository: DockerRepositoryChoice
  location: RepositoryLocation
  /** The engine's version: docker-ce's, docker-ce-cli's and the rootless extras'. */
  version: string
  /** apt-get install arguments, PACKAGE=VERSION. */
  packages: string[]
  /** PACKAGE=VERSION pairs pinned at priority 1001. */
  pin: string[]
  /** Packages of the set the repository does not offer (left out). */
  missing: string[]
}

/** The versions to install: pure, from the probe. */
export function planDockerInstall(target: string, choice: DockerRepositoryChoice, probe: RepositoryProbe, range: string | undefined): DockerInstall {
  const offered = (name: string) => probe.offered[name] ?? []
  const [version] = dockerVersionsInRange(offered('docker-ce'), range, choice.channel)
  if (!version) {
    const existing = sortDebianVersionsDescending(offered('docker-ce'))
    throw new HostStateError(`${target}: no docker-ce version within ${range} at ${probe.location.uri} (${probe.location.suite} ${choice.channel}): it offers ${existing.slice(0, 8).join(', ')}${existing.length > 8 ? ', ...' : ''}`, {
      hint: 'pick a range that matches one of them',
    })
  }
  const {packages, pin, missing, lacking} = chooseDockerPackages(offered, version, choice.packages)
  if (lacking === 'docker-ce-cli') throw new HostStateError(`${target}: ${probe.location.uri} offers docker-ce ${version} but no docker-ce-cli at that version`)
  if (lacking === 'containerd.io') throw new HostStateError(`${target}: ${probe.location.uri} offers no containerd.io for ${probe.location.suite}`)
  return {repository: choice, location: probe.location, version, packages, pin, missing}
}

/** The install step's detail: repository, key, versions (what --dry-run shows). */
export function dockerInstallDetail(install: DockerInstall, range: string | undefined): string {
  const others = install.packages.filter((pair) => !pair.startsWith('docker-ce='))
  return [
    `docker-ce ${install.version}${range ? ` (newest within ${range})` : ' (newest)'}`,
    `from ${install.location.uri} ${install.location.suite} ${install.location.component} (${install.location.arch})`,
    `key ${formatFingerprint(install.repository.key.fingerprint)}`,
    `with ${others.map((pair) => pair.replace('=', ' ')).join(', ')}`,
    ...(install.missing.length > 0 ? [`not offered: ${install.missing.join(', ')}`] : []),
    `pinned: ${install.pin.map((pair) => pair.split('=')[0]).join(', ')}`,
  ].join('; ')
}

/** Exit 3 of docker-repo-install.sh: apt-get update failed and the host's sources were put back. */
export class RepositoryUpdateFailed extends HostStateError {}

/** `purge` (a switch from docker.io): the old engine's packages, purged safely first (lib/engine-replace.sh). */
export async function applyDockerInstall(target: string, root: Host, install: DockerInstall, aptEnv: Record<string, string> = {}, purge: string[] = []): Promise<{replaced: string[]}> {
  const {location} = install
  const script = await boundScript('docker-repo-install.sh', [location.uri, location.suite, location.component, location.arch, ...install.packages], {
    ...aptEnv,
    ...(purge.length > 0 ? {TK_ENGINE_REPLACE: purge.join(' ')} : {}),
    TK_REPOSITORY_KEY: install.repository.key.binary.toString('base64'),
    TK_ENGINE_PIN: install.pin.join(' '),
  })
  const result = await root.run(script, {timeoutMs: 30 * 60_000})
  const replaced = result.stdout
    .split('\n')
    .filter((line) => line.startsWith('@@tk:replaced '))
    .map((line) => line.slice('@@tk:replaced '.length))
  if (result.code === 3) throw new RepositoryUpdateFailed(`${target}: ${result.stderr.trim().split('\n').slice(-1)[0]}`, {hint: 'check the repository URL and its key'})
  if (result.code !== 0) {
    const output = `${result.stderr}\n${result.stdout}`.trim().split('\n').slice(-4).join(' | ')
    throw new HostStateError(`${target}: installing the engine from ${location.uri} failed: apt-get exited ${result.code}${output ? `: ${output}` : ''}`)
  }
  return {replaced}
}
