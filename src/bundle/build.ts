/**
 * Making a bundle (`tk bundle`): apt, in a private root of its own under
 * the user's cache directory, reads the release's own package indexes from
 * Debian's archive (for any architecture: no machine of that release is
 * needed), works out what the engine needs beyond a minimal install of the
 * release (format.ts MINIMAL_INSTALL) and downloads it; tk writes a flat
 * apt repository of those .debs, signs its index and the manifest, and packs
 * it all into one tar file. The private root is kept between runs: apt
 * downloads only indexes that changed and .debs it does not have yet.
 */
import {execFile} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdir, readFile, rm, writeFile} from 'node:fs/promises'
import {homedir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'

import {EnvironmentError, InputError, UsageError} from '../errors/index.js'
import {chooseDockerPackages, type DockerChannel, dockerVersionsInRange} from '../engine/docker-repository.js'
import {sortDebianVersionsDescending} from '../engine/debian-version.js'
import {pickVersionInRange} from '../engine/version-range.js'
import {withFileLock} from '../transport/file-lock.js'
import {BUNDLE_ARCHES, BUNDLE_RELEASES, bundleInstallPackages, debFileName} from './format.js'
import {ownSigningKey, type Signer, trustSigner, userSigningKey} from './signing.js'
import {type BundleDeb, writeBundle} from './write.js'

const run = promisify(execFile)

/** Debian's archive, as the sandbox image builder names it, and its security archive. */
export const DEBIAN_MIRROR = 'http://deb.debian.org/debian'
export const DEBIAN_SECURITY = 'http://deb.debian.org/debian-security'
export const ARCHIVE_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg'

/** Docker's repository (or a mirror) for --method docker, its key already checked against its fingerprint (src/provision/docker-repository.ts loadDockerRepository). */
export interface BundleRepository {
  /** The base URL, the level above debian/. */
  url: string
  channel: DockerChannel
  key: {fingerprint: string; binary: Buffer}
  /** Packages instead of Docker's own set for the version. */
  packages?: string[]
}

export interface BundleRequest {
  release: string
  arch: string
  method: 'distro' | 'docker'
  /** Method docker: the repository, resolved together with the release's own archive. */
  repository?: BundleRepository
  /** A semver range for the engine's upstream version; the newest within it goes in. */
  engineVersion?: string
  output: string
  /** An armored OpenPGP private key to sign with instead of tk's own. */
  keyFile?: string
  onProgress?: (line: string) => void
}

export interface BundleBuilt {
  file: string
  sha256: string
  size: number
  release: string
  arch: string
  engine: {package: string; version: string}
  packages: number
  signer: string
  durationMs: number
}

/** $XDG_CACHE_HOME/tk, else ~/.cache/tk. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'tk')
}

/** The request's own mistakes, before anything is fetched. */
export function checkBundleRequest(request: BundleRequest): void {
  if ((request.method === 'docker') !== (request.repository !== undefined)) throw new UsageError('a repository goes with tk bundle --method docker, and only with it')
  if (!(request.release in BUNDLE_RELEASES)) throw new UsageError(`--release ${request.release}: tk makes bundles for ${Object.keys(BUNDLE_RELEASES).join(', ')}`)
  if (!(BUNDLE_ARCHES as readonly string[]).includes(request.arch)) throw new UsageError(`--arch ${request.arch}: tk makes bundles for ${BUNDLE_ARCHES.join(', ')}`)
}

/** apt-get and apt-cache, and Debian's archive keyring to check what they fetch: one line when missing. */
async function checkWorkstation(): Promise<void> {
  const missing: string[] = []
  for (const tool of ['apt-get', 'apt-cache']) {
    // eslint-disable-next-line no-await-in-loop -- two quick probes
    await run(tool, ['--version']).catch(() => missing.push(tool))
  }
  if (!existsSync(ARCHIVE_KEYRING)) missing.push(ARCHIVE_KEYRING)
  if (missing.length > 0) {
    throw new EnvironmentError(`tk bundle needs apt and Debian's archive keyring on this machine: ${missing.join(', ')} missing`, {
      hint: 'on Debian or Ubuntu: sudo apt-get install apt debian-archive-keyring',
    })
  }
}

/** A private apt root for one release and architecture: its config, sources and state, nothing of the machine's own. */
export async function aptRoot(release: string, arch: string, repository?: BundleRepository): Promise<{root: string; env: NodeJS.ProcessEnv}> {
  const root = join(cacheDir(), 'bundle', `${release}-${arch}`)
  for (const dir of ['etc/apt/apt.conf.d', 'etc/apt/preferences.d', 'etc/apt/sources.list.d', 'etc/apt/trusted.gpg.d', 'var/lib/apt/lists/partial', 'var/cache/apt/archives/partial', 'var/lib/dpkg']) {
    // eslint-disable-next-line no-await-in-loop
    await mkdir(join(root, dir), {recursive: true})
  }
  // APT_CONFIG is read before anything else: with Dir set there, apt reads none of this machine's configuration.
  await writeFile(
    join(root, 'apt.conf'),
    [
      `Dir "${root}/";`,
      `Dir::State::status "${root}/var/lib/dpkg/status";`,
      `APT::Architecture "${arch}";`,
      `APT::Architectures { "${arch}"; };`,
      'APT::Install-Recommends "false";',
      'APT::Sandbox::User "root";',
      'Acquire::Languages "none";',
      'Acquire::Retries "3";',
      '',
    ].join('\n'),
  )
  const signed = `[signed-by=${ARCHIVE_KEYRING}]`
  await writeFile(
    join(root, 'etc/apt/sources.list'),
    [`deb ${signed} ${DEBIAN_MIRROR} ${release} main`, `deb ${signed} ${DEBIAN_MIRROR} ${release}-updates main`, `deb ${signed} ${DEBIAN_SECURITY} ${release}-security main`, ''].join('\n'),
  )
  // Method docker: Docker's repository beside the release's archive, its key (checked by fingerprint) its only signer.
  const dockerSource = join(root, 'etc/apt/sources.list.d/docker.list')
  const dockerKey = join(root, 'etc/apt/docker.gpg')
  if (repository) {
    await writeFile(dockerKey, repository.key.binary)
    await writeFile(dockerSource, `deb [signed-by=${dockerKey}] ${repository.url}/debian ${release} ${repository.channel}\n`)
  } else {
    await rm(dockerSource, {force: true})
  }
  return {root, env: {...process.env, APT_CONFIG: join(root, 'apt.conf'), LC_ALL: 'C'}}
}

async function apt(tool: string, args: string[], env: NodeJS.ProcessEnv, what: string, cwd?: string): Promise<string> {
  try {
    const {stdout} = await run(tool, args, {env, maxBuffer: 256 * 1024 * 1024, ...(cwd ? {cwd} : {})})
    return stdout
  } catch (error) {
    const stderr = String((error as {stderr?: string}).stderr ?? (error as Error).message).trim()
    const lines = stderr.split('\n').filter((line) => /^(E|W):/.test(line))
    throw new InputError(`tk bundle: ${what} failed: ${(lines.length > 0 ? lines : stderr.split('\n')).slice(-3).join(' | ')}`)
  }
}

/** Debian control stanzas (Packages, apt-cache show), as text blocks keyed by field. */
export function parseStanzas(text: string): Array<{text: string; fields: Map<string, string>}> {
  return text
    .split(/\n\s*\n/)
    .map((block) => block.trim())
    .filter((block) => block !== '')
    .map((block) => {
      const fields = new Map<string, string>()
      for (const line of block.split('\n')) {
        const match = /^([A-Za-z0-9-]+):\s?(.*)$/.exec(line)
        if (match) fields.set(match[1]!, match[2]!)
      }
      return {text: block, fields}
    })
}

/** apt-cache madison's lines, "NAME | VERSION | SOURCE ...", each column padded to the widest. */
export function parseMadison(output: string): Array<{name: string; version: string; source: string}> {
  return [...output.matchAll(/^\s*(\S+)\s+\|\s+(\S+)\s+\|\s+(\S+)/gm)].map((match) => ({name: match[1]!, version: match[2]!, source: match[3]!}))
}

/** apt-get -s install's "Inst NAME (VERSION ... [ARCH])" lines. */
export function parseSimulatedInstalls(output: string): Array<{name: string; version: string; arch: string}> {
  const found: Array<{name: string; version: string; arch: string}> = []
  for (const match of output.matchAll(/^Inst (\S+) (?:\[\S+\] )?\((\S+) .*\[(\S+)\]\)/gm)) found.push({name: match[1]!, version: match[2]!, arch: match[3]!})
  return found
}

/**
 * The dpkg status of a minimal install: apt installs the release's required
 * packages and apt into an empty system (as debootstrap's minbase does), at
 * the versions of the release's main suite.
 */
async function writeMinimalStatus(root: string, release: string, arch: string, env: NodeJS.ProcessEnv): Promise<number> {
  const status = join(root, 'var/lib/dpkg/status')
  await writeFile(status, '')
  const host = DEBIAN_MIRROR.replace(/^https?:\/\//, '').replace(/\//g, '_')
  const index = await readFile(join(root, 'var/lib/apt/lists', `${host}_dists_${release}_main_binary-${arch}_Packages`), 'utf8')
  const main = new Map<string, string>()
  const required: string[] = []
  for (const stanza of parseStanzas(index)) {
    const name = stanza.fields.get('Package')!
    if (!main.has(name)) main.set(name, stanza.text)
    if (stanza.fields.get('Priority') === 'required') required.push(name)
  }
  const simulated = parseSimulatedInstalls(await apt('apt-get', ['-s', '-q', 'install', ...new Set([...required, 'apt'])], env, `working out ${release}'s minimal install`))
  const installed = simulated.flatMap(({name}) => {
    const text = main.get(name)
    return text ? [`${text.replace(/^Package: .*$/m, (line) => `${line}\nStatus: install ok installed`)}\n`] : []
  })
  await writeFile(status, installed.join('\n'))
  return installed.length
}

/**
 * One user of a private apt root at a time: a second waits briefly, then
 * says so. The lock's refresh allows for a loaded machine: reading a
 * release's 50 MB index blocks for seconds.
 */
async function inAptRoot<T>(root: string, work: () => Promise<T>): Promise<T> {
  return withFileLock(join(root, 'apt.conf'), work, {staleMs: 120_000}).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ELOCKED') throw error
    throw new EnvironmentError(`another tk bundle is using ${root}`, {hint: 'run again when it is done'})
  })
}

/**
 * Downloads the release's current .debs of `names` (no dependencies) for
 * `arch` into `dir` through the private apt root, as tk bundle reads the
 * release: for Debian packages of another release than this machine's (the
 * tests' stand-in of Docker's repository for trixie).
 */
export async function downloadReleasePackages(release: string, arch: string, names: string[], dir: string): Promise<void> {
  await checkWorkstation()
  const {root, env} = await aptRoot(release, arch)
  await inAptRoot(root, async () => {
    await apt('apt-get', ['-q', 'update'], env, `fetching ${release}'s package indexes`)
    await apt('apt-get', ['-q', 'download', ...names], env, `downloading ${names.join(' ')} of ${release}/${arch}`, dir)
  })
}

/** apt's part, in the private root: the indexes, a minimal install's status, the engine's version and dependencies, the .debs. */
async function resolveAndDownload(request: BundleRequest, root: string, env: NodeJS.ProcessEnv, say: (line: string) => void): Promise<EngineChoice & {debs: BundleDeb[]}> {
  const {release, arch} = request
  say(`reading ${release}'s package indexes for ${arch} from ${DEBIAN_MIRROR}${request.repository ? ` and ${request.repository.url}` : ''}`)
  await apt('apt-get', ['-q', 'update'], env, `fetching ${release}'s package indexes`)
  const minimal = await writeMinimalStatus(root, release, arch, env)
  say(`a minimal ${release} install has ${minimal} packages`)

  const engine = request.repository ? await dockerEngine(request, request.repository, env) : await distroEngine(request, env)
  const {wanted} = engine

  const plan = parseSimulatedInstalls(await apt('apt-get', ['-s', '-q', 'install', ...wanted], env, 'resolving the engine\'s dependencies'))
  say(`${plan.length} packages beyond a minimal install; downloading those not cached`)
  await apt('apt-get', ['-q', '-y', '--download-only', 'install', ...wanted], env, 'downloading the packages')
  const shown = parseStanzas(await apt('apt-cache', ['show', ...plan.map(({name, version: v}) => `${name}=${v}`)], env, 'reading the packages\' records'))

  const debs: BundleDeb[] = []
  for (const item of plan) {
    const record = shown.find((stanza) => stanza.fields.get('Package') === item.name && stanza.fields.get('Version') === item.version)
    if (!record) throw new InputError(`tk bundle: apt has no record of ${item.name} ${item.version}`)
    const cached = join(root, 'var/cache/apt/archives', debFileName(item.name, item.version, item.arch))
    if (!existsSync(cached)) throw new InputError(`tk bundle: apt did not download ${item.name} ${item.version}`)
    debs.push({...item, path: cached, stanza: record.text, sha256: record.fields.get('SHA256') ?? ''})
  }
  return {...engine, debs}
}

interface EngineChoice {
  engine: {package: string; version: string}
  /** The packages a host installs, by name. */
  install: string[]
  /** apt-get install arguments here (NAME or NAME=VERSION). */
  wanted: string[]
  /** Method docker: the pin the host writes. */
  pin?: string[]
}

/** Debian's docker.io: the newest within the range, docker-cli at its version where the release has it. */
async function distroEngine(request: BundleRequest, env: NodeJS.ProcessEnv): Promise<EngineChoice> {
  const {release, arch} = request
  const offered = [...(await apt('apt-cache', ['madison', 'docker.io'], env, 'listing docker.io')).matchAll(/^\s*docker\.io \| (\S+) \|/gm)].map((match) => match[1]!)
  if (offered.length === 0) throw new InputError(`${release} offers no docker.io for ${arch}`)
  const version = request.engineVersion ? pickVersionInRange(`${release}/${arch}`, 'docker.io', request.engineVersion, offered) : offered[0]!
  const install = bundleInstallPackages(release)
  const cliOffered = install.includes('docker-cli')
    ? (await apt('apt-cache', ['madison', 'docker-cli'], env, 'listing docker-cli')).includes(`| ${version} |`)
    : false
  const wanted = install.map((name) => (name === 'docker.io' || (name === 'docker-cli' && cliOffered) ? `${name}=${version}` : name))
  return {engine: {package: 'docker.io', version}, install, wanted}
}

/**
 * Docker's docker-ce: the newest within the range on the repository's
 * channel, with the packages Docker's own install puts in for it (as tk
 * provision --method docker chooses them), plus apparmor as in every bundle.
 */
async function dockerEngine(request: BundleRequest, repository: BundleRepository, env: NodeJS.ProcessEnv): Promise<EngineChoice> {
  const {release, arch} = request
  const where = `${repository.url}/debian ${release} ${repository.channel} (${arch})`
  const names = [...new Set(['docker-ce', 'docker-ce-cli', 'containerd.io', 'docker-ce-rootless-extras', 'docker-compose-plugin', 'docker-buildx-plugin', ...(repository.packages ?? [])])]
  const offered = new Map<string, string[]>()
  // Only the repository's own records: a name Debian's archive has too (none of Docker's today) is not taken from there.
  for (const line of parseMadison(await apt('apt-cache', ['madison', ...names], env, 'listing Docker\'s packages'))) {
    if (line.source.startsWith(repository.url)) offered.set(line.name, [...(offered.get(line.name) ?? []), line.version])
  }
  const engines = offered.get('docker-ce') ?? []
  if (engines.length === 0) throw new InputError(`${where} offers no docker-ce`)
  const [version] = dockerVersionsInRange(engines, request.engineVersion, repository.channel)
  if (!version) throw new InputError(`no docker-ce within ${request.engineVersion} at ${where}: it offers ${sortDebianVersionsDescending(engines).slice(0, 8).join(', ')}`)
  const choice = chooseDockerPackages((name) => offered.get(name) ?? [], version, repository.packages)
  if (choice.lacking) throw new InputError(`${where} offers docker-ce ${version} but no ${choice.lacking}${choice.lacking === 'docker-ce-cli' ? ' at that version' : ''}`)
  const install = [...choice.packages.map((pair) => pair.split('=')[0]!), 'apparmor']
  return {engine: {package: 'docker-ce', version}, install, wanted: [...choice.packages, 'apparmor'], pin: choice.pin}
}

export async function buildBundle(request: BundleRequest): Promise<BundleBuilt> {
  const started = performance.now()
  checkBundleRequest(request)
  await checkWorkstation()
  const say = request.onProgress ?? (() => {})
  const signer: Signer = request.keyFile ? await userSigningKey(request.keyFile) : await ownSigningKey()
  const {release, arch} = request
  const {root, env} = await aptRoot(release, arch, request.repository)

  const {engine, install, pin, debs} = await inAptRoot(root, () => resolveAndDownload(request, root, env, say))
  const {repository} = request
  const written = await writeBundle({
    output: request.output,
    signer,
    release,
    arch,
    install,
    engine,
    method: request.method,
    ...(repository ? {repository: {url: repository.url, channel: repository.channel, fingerprint: repository.key.fingerprint}} : {}),
    ...(pin ? {pin} : {}),
    debs,
  })
  if (request.keyFile) await trustSigner(signer)
  return {
    file: request.output,
    sha256: written.sha256,
    size: written.size,
    release,
    arch,
    engine,
    packages: debs.length,
    signer: signer.fingerprint,
    durationMs: Math.round(performance.now() - started),
  }
}
