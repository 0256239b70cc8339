/**
 * A STAND-IN for Docker's apt repository, for tests: a local apt repository
 * in Docker's layout (`linux/debian/dists/CODENAME/Release`, component
 * `stable`, `binary-ARCH`), signed with a throwaway key made here, holding
 * Debian's own engine packages repackaged with dpkg-deb under Docker's names,
 * versions and relations:
 *
 * - docker-ce: docker.io's daemon (everything but the CLI), Depends
 *   containerd.io and docker-ce-cli, Conflicts docker.io;
 * - docker-ce-cli: the CLI docker.io bundles (/usr/bin/docker, its
 *   completions and man pages), Conflicts docker.io;
 * - containerd.io: Debian's containerd and runc in one package, Provides,
 *   Conflicts and Replaces containerd and runc;
 * - docker-ce-rootless-extras and docker-compose-plugin: empty stand-ins
 *   (bookworm has no compose v2 plugin to repackage; the rootless extras
 *   only prove that tk installs them at the engine's own version).
 *
 * Each engine version asked for is the same Debian build under another
 * Docker version (`5:20.10.23-1~debian.12~bookworm`): apt sees two versions
 * to choose between, dockerd reports its own version either way.
 *
 *   const repo = await buildDockerRepo({versions: ['20.10.23', '20.10.24']})
 *   const server = await serveDockerRepo(repo, {host: await sandboxGateway(fixture)})
 *   // tk.yml: engine: {method: docker, repository: {url: server.url, key: repo.keyFile, fingerprint: repo.fingerprint}}
 *   await server.close()
 *
 * On trixie, Debian ships the CLI as its own package: docker.io stands in
 * for docker-ce unchanged but for its control, docker-cli for docker-ce-cli.
 *
 * The repository is built once per set of inputs and kept under
 * os.tmpdir() (tk-docker-repo-HASH), so a test run builds it at most once.
 * Packages of this machine's release come from its apt sources (`apt-get
 * download`); those of another release (`release: 'trixie'`) from Debian's
 * archive through tk bundle's private apt root (src/bundle/build.ts
 * downloadReleasePackages), so no machine of that release is needed.
 */
import {execFile} from 'node:child_process'
import {createHash} from 'node:crypto'
import {createReadStream} from 'node:fs'
import {cp, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile} from 'node:fs/promises'
import {createServer, type Server} from 'node:http'
import {tmpdir} from 'node:os'
import {join, normalize, sep} from 'node:path'
import {promisify} from 'node:util'
import {gzipSync} from 'node:zlib'

import {downloadReleasePackages} from '../../src/bundle/build.js'
import {BUNDLE_RELEASES} from '../../src/bundle/format.js'
import type {SandboxFixture} from './sandbox.js'

const run = promisify(execFile)

/** Bump when the layout or the packages built change: old caches are then ignored. */
const BUILDER_VERSION = 4

export interface DockerRepoOptions {
  /** Upstream engine versions to offer, each as docker-ce, docker-ce-cli and docker-ce-rootless-extras: `['20.10.23', '20.10.24']`. */
  versions: string[]
  /** containerd.io versions to offer (Docker's scheme: `1.6.20-1`); default one per engine version, 1.6.19-1, 1.6.20-1, ... */
  containerdVersions?: string[]
  /** Suites (channels) to publish the packages in; default stable. */
  channel?: 'stable' | 'test'
  /** The Debian release (codename) to build for; default this machine's. */
  release?: string
}

export interface DockerRepo {
  /** The directory holding `linux/`: serve it with serveDockerRepo. */
  root: string
  /** The repository's signing key, ASCII-armored (a file tk reads: engine.repository.key). */
  keyFile: string
  /** Its fingerprint, 40 hex digits, upper case. */
  fingerprint: string
  distro: 'debian'
  codename: string
  arch: string
  channel: 'stable' | 'test'
  /** Every package in the repository, with its Docker-style version. */
  packages: Array<{name: string; version: string}>
  /** The full docker-ce version for an upstream version: `5:20.10.23-1~debian.12~bookworm`. */
  engineVersion(upstream: string): string
}

/** Docker's version scheme for its engine packages on a Debian release. */
export function dockerEngineVersion(upstream: string, versionId: string, codename: string): string {
  return `5:${upstream}-1~debian.${versionId}~${codename}`
}

async function osRelease(): Promise<{versionId: string; codename: string}> {
  const text = await readFile('/etc/os-release', 'utf8')
  const field = (name: string) => new RegExp(`^${name}="?([^"\\n]*)"?$`, 'm').exec(text)?.[1] ?? ''
  return {versionId: field('VERSION_ID'), codename: field('VERSION_CODENAME')}
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  )

/** Builds the stand-in repository (or finds it built by an earlier run with the same inputs). */
export async function buildDockerRepo(options: DockerRepoOptions): Promise<DockerRepo> {
  const here = await osRelease()
  const codename = options.release ?? here.codename
  const versionId = codename === here.codename ? here.versionId : String(BUNDLE_RELEASES[codename] ?? '')
  if (!versionId) throw new Error(`the stand-in of Docker's repository: no Debian release ${codename}`)
  const ownCli = (BUNDLE_RELEASES[codename] ?? 0) >= 13
  const {stdout: archOut} = await run('dpkg', ['--print-architecture'])
  const arch = archOut.trim()
  const channel = options.channel ?? 'stable'
  const containerdVersions = options.containerdVersions ?? options.versions.map((_, index) => `1.6.${19 + index}-1`)
  const inputs = JSON.stringify({BUILDER_VERSION, versions: options.versions, containerdVersions, channel, codename, arch})
  const dir = join(tmpdir(), `tk-docker-repo-${createHash('sha256').update(inputs).digest('hex').slice(0, 16)}`)
  const engineVersion = (upstream: string) => dockerEngineVersion(upstream, versionId, codename)
  const packages = [
    ...options.versions.flatMap((upstream) =>
      ['docker-ce', 'docker-ce-cli', 'docker-ce-rootless-extras'].map((name) => ({name, version: engineVersion(upstream)})),
    ),
    ...containerdVersions.map((version) => ({name: 'containerd.io', version})),
    {name: 'docker-compose-plugin', version: `2.0.0-1~debian.${versionId}~${codename}`},
  ]
  const made = async (): Promise<DockerRepo> => ({
    root: dir,
    keyFile: join(dir, 'key.asc'),
    fingerprint: (await readFile(join(dir, 'fingerprint'), 'utf8')).trim(),
    distro: 'debian',
    codename,
    arch,
    channel,
    packages,
    engineVersion,
  })
  await buildOnce(dir, async (work) => {
    const downloads = join(work, 'downloads')
    await mkdir(downloads)
    // Debian's own engine packages: this machine's release from its apt sources, another from Debian's archive.
    const debian = ['docker.io', 'containerd', 'runc', ...(ownCli ? ['docker-cli'] : [])]
    if (codename === here.codename) await run('apt-get', ['download', '-q', ...debian], {cwd: downloads})
    else await downloadReleasePackages(codename, arch, debian, downloads)
    const files = await readdir(downloads)
    const deb = (name: string) => join(downloads, files.find((file) => file.startsWith(`${name}_`))!)

    const pool = join(work, 'linux', 'debian', 'pool', channel)
    await mkdir(pool, {recursive: true})
    const extract = async (name: string) => {
      const tree = join(work, 'x', name)
      await mkdir(tree, {recursive: true})
      await run('dpkg-deb', ['-R', deb(name), tree])
      return tree
    }
    const [dockerTree, containerdTree, runcTree] = await Promise.all([extract('docker.io'), extract('containerd'), extract('runc')])

    // docker.io split: the CLI's files into docker-ce-cli, the rest stays for docker-ce (trixie: the CLI is docker-cli's already).
    const cliTree = ownCli ? await extract('docker-cli') : join(work, 'x', 'cli')
    if (ownCli) await rm(join(cliTree, 'DEBIAN'), {recursive: true, force: true})
    const cliFiles = ['usr/bin/docker', 'usr/share/bash-completion/completions/docker', 'usr/share/fish/vendor_completions.d/docker.fish', 'usr/share/zsh/vendor-completions/_docker', 'usr/share/man/man1']
    for (const file of ownCli ? [] : cliFiles) {
      if (!(await exists(join(dockerTree, file)))) continue
      await mkdir(join(cliTree, file, '..'), {recursive: true})
      await rename(join(dockerTree, file), join(cliTree, file))
    }
    await mkdir(join(cliTree, 'DEBIAN'), {recursive: true})
    await rm(join(dockerTree, 'DEBIAN', 'md5sums'), {force: true})

    // containerd and runc together.
    const containerdIo = join(work, 'x', 'containerd.io')
    await cp(containerdTree, containerdIo, {recursive: true})
    await cp(runcTree, containerdIo, {recursive: true, filter: (source) => !source.startsWith(join(runcTree, 'DEBIAN'))})
    await rm(join(containerdIo, 'DEBIAN', 'md5sums'), {force: true})

    const emptyTree = join(work, 'x', 'empty')
    await mkdir(join(emptyTree, 'DEBIAN'), {recursive: true})

    const control = (fields: Record<string, string>) =>
      `${Object.entries(fields)
        .map(([key, value]) => `${key}: ${value}`)
        .join('\n')}\n`
    const standIn = 'Stand-in for tests of tk: Debian\'s package repackaged under Docker\'s name; not Docker\'s build.'
    const build = async (tree: string, fields: Record<string, string>) => {
      await writeFile(join(tree, 'DEBIAN', 'control'), control({...fields, Architecture: fields.Architecture ?? arch, Maintainer: 'tk tests <tests@tk.invalid>', Description: `${fields.Package} (stand-in)\n ${standIn}`}))
      const out = join(pool, `${fields.Package}_${fields.Version.replace(/^\d+:/, '')}_${arch}.deb`)
      await run('dpkg-deb', ['--root-owner-group', '-Zgzip', '-z1', '-b', tree, out])
    }
    for (const upstream of options.versions) {
      const version = engineVersion(upstream)
      await build(dockerTree, {
        Package: 'docker-ce',
        Version: version,
        Depends: 'containerd.io (>= 1.4), docker-ce-cli, iptables, tini, adduser, libc6, libdevmapper1.02.1, libsystemd0',
        Conflicts: 'docker (<< 1.5~), docker-engine, docker.io',
        Replaces: 'docker-engine',
        Recommends: 'docker-ce-rootless-extras',
      })
      await build(cliTree, {Package: 'docker-ce-cli', Version: version, Depends: 'libc6', Conflicts: 'docker (<< 1.5~), docker-engine, docker.io, docker-cli', Replaces: 'docker-ce (<< 5:0)'})
      await build(emptyTree, {Package: 'docker-ce-rootless-extras', Version: version, Depends: 'docker-ce'})
    }
    for (const version of containerdVersions) {
      await build(containerdIo, {
        Package: 'containerd.io',
        Version: version,
        Depends: 'libc6, libseccomp2 (>= 2.5.0)',
        Provides: 'containerd, runc',
        Conflicts: 'containerd, runc',
        Replaces: 'containerd, runc',
      })
    }
    await build(emptyTree, {Package: 'docker-compose-plugin', Version: `2.0.0-1~debian.${versionId}~${codename}`, Depends: 'docker-ce-cli'})

    // The index, the Release file and its signatures.
    const fingerprint = await indexAndSign(join(work, 'linux', 'debian'), {codename, component: channel, arch, pool: join('pool', channel), keyFile: join(work, 'key.asc'), label: 'Docker CE stand-in'})
    await cp(join(work, 'key.asc'), join(work, 'linux', 'debian', 'gpg'))
    await rm(join(work, 'x'), {recursive: true, force: true})
    await rm(downloads, {recursive: true, force: true})
    return fingerprint
  })
  return made()
}

/**
 * Builds a repository into a fresh directory beside `dir` and renames it to
 * `dir` when done (with its fingerprint file, the mark of a finished build);
 * a build already there, or made meanwhile by another run, is kept.
 */
async function buildOnce(dir: string, build: (work: string) => Promise<string>): Promise<void> {
  if (await exists(join(dir, 'fingerprint'))) return
  const work = await mkdtemp(`${dir}.build-`)
  try {
    const fingerprint = await build(work)
    await writeFile(join(work, 'fingerprint'), `${fingerprint}\n`)
    try {
      await rename(work, dir)
    } catch (error) {
      // Another run built it meanwhile: theirs is as good.
      if (!(await exists(join(dir, 'fingerprint')))) throw error
    }
  } finally {
    await rm(work, {recursive: true, force: true})
  }
}

/**
 * Writes the index of `pool` (relative to `base`) for one suite, component
 * and architecture, a Release file over it, and signs that (InRelease,
 * Release.gpg) with a throwaway key made here, exported armored to keyFile.
 * Returns the key's fingerprint.
 */
async function indexAndSign(base: string, options: {codename: string; component: string; arch: string; pool: string; keyFile: string; label: string}): Promise<string> {
  const {codename, component, arch} = options
  const dist = join(base, 'dists', codename)
  const binary = join(dist, component, `binary-${arch}`)
  await mkdir(binary, {recursive: true})
  const {stdout: index} = await run('dpkg-scanpackages', ['-m', options.pool], {cwd: base, maxBuffer: 64 * 1024 * 1024})
  await writeFile(join(binary, 'Packages'), index)
  await writeFile(join(binary, 'Packages.gz'), gzipSync(index))
  const entries = await Promise.all(
    ['Packages', 'Packages.gz'].map(async (name) => {
      const data = await readFile(join(binary, name))
      return ` ${createHash('sha256').update(data).digest('hex')} ${data.length} ${component}/binary-${arch}/${name}`
    }),
  )
  const fields: Record<string, string> = {
    Origin: `${options.label} (tk tests)`,
    Label: options.label,
    Suite: codename,
    Codename: codename,
    Architectures: arch,
    Components: component,
    Description: `${options.label}, built by tk's tests`,
    Date: new Date().toUTCString(),
    SHA256: `\n${entries.join('\n')}`,
  }
  await writeFile(join(dist, 'Release'), `${Object.entries(fields).map(([key, value]) => `${key}: ${value}`).join('\n')}\n`)

  const gnupg = await mkdtemp(join(tmpdir(), 'tk-repo-gnupg-'))
  try {
    const gpg = (...args: string[]) => run('gpg', ['--homedir', gnupg, '--batch', '--quiet', '--pinentry-mode', 'loopback', '--passphrase', '', ...args])
    await gpg('--quick-gen-key', `tk test repository ${options.label} (stand-in) <tests@tk.invalid>`, 'ed25519', 'sign', 'never')
    const {stdout: colons} = await gpg('--with-colons', '--list-keys')
    const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(colons)![1]
    await gpg('--armor', '--output', options.keyFile, '--export', fingerprint)
    await gpg('--clearsign', '--digest-algo', 'SHA256', '--output', join(dist, 'InRelease'), join(dist, 'Release'))
    await gpg('--armor', '--detach-sign', '--digest-algo', 'SHA256', '--output', join(dist, 'Release.gpg'), join(dist, 'Release'))
    return fingerprint
  } finally {
    await rm(gnupg, {recursive: true, force: true})
  }
}

export interface DistroRepo {
  /** The directory holding `debian/`: serve it with serveDockerRepo (its URL's `/linux` replaced by `/debian`). */
  root: string
  keyFile: string
  fingerprint: string
  codename: string
  component: 'main'
}

/**
 * A local apt repository of this machine's release holding Debian's own
 * packages (NAME or NAME=VERSION), unchanged, from Debian's archive: `debian/dists/CODENAME/main`,
 * signed with a throwaway key. For comparing the distro method with the
 * docker method from the same local server (bench/docker-repo.js). Cached
 * like buildDockerRepo.
 */
export async function buildDistroRepo(packages: string[]): Promise<DistroRepo> {
  const {codename} = await osRelease()
  const {stdout: archOut} = await run('dpkg', ['--print-architecture'])
  const arch = archOut.trim()
  const dir = join(tmpdir(), `tk-distro-repo-${createHash('sha256').update(JSON.stringify({BUILDER_VERSION, packages, codename, arch})).digest('hex').slice(0, 16)}`)
  const made = async (): Promise<DistroRepo> => ({root: dir, keyFile: join(dir, 'key.asc'), fingerprint: (await readFile(join(dir, 'fingerprint'), 'utf8')).trim(), codename, component: 'main'})
  await buildOnce(dir, async (work) => {
    const pool = join(work, 'debian', 'pool', 'main')
    await mkdir(pool, {recursive: true})
    // From Debian's archive as it is now (tk bundle's private apt root), so that NAME=VERSION of a freshly updated machine is there.
    await downloadReleasePackages(codename, arch, packages, pool)
    return indexAndSign(join(work, 'debian'), {codename, component: 'main', arch, pool: join('pool', 'main'), keyFile: join(work, 'key.asc'), label: 'Debian packages'})
  })
  return made()
}

export interface DockerRepoServer {
  /** The repository's base URL, Docker's `https://download.docker.com/linux` counterpart: `http://HOST:PORT/linux`. */
  url: string
  /** Requests served, as paths (to prove a host did or did not fetch). */
  requests: string[]
  close(): Promise<void>
}

/** Serves a built repository's files over plain HTTP on host (any free port): GET only, nothing outside its root. */
export async function serveDockerRepo(repo: Pick<DockerRepo, 'root'>, options: {host: string; port?: number}): Promise<DockerRepoServer> {
  const requests: string[] = []
  const root = normalize(repo.root)
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)
    requests.push(path)
    const file = normalize(join(root, path))
    if ((request.method !== 'GET' && request.method !== 'HEAD') || !(file.startsWith(`${root}${sep}linux${sep}`) || file.startsWith(`${root}${sep}debian${sep}`))) {
      response.writeHead(404).end()
      return
    }
    stat(file).then(
      (info) => {
        if (!info.isFile()) {
          response.writeHead(404).end()
          return
        }
        response.writeHead(200, {'content-length': info.size, 'content-type': 'application/octet-stream'})
        if (request.method === 'HEAD') response.end()
        else createReadStream(file).pipe(response)
      },
      () => response.writeHead(404).end(),
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host, () => resolve())
  })
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('the stand-in repository server has no port')
  return {
    url: `http://${options.host}:${address.port}/linux`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** The address of this machine on the sandbox network: where sandbox machines reach a server of the test. */
export async function sandboxGateway(fixture: SandboxFixture): Promise<string> {
  const info = await fixture.sandbox.engine.docker.getNetwork(fixture.network).inspect()
  const gateway = (info.IPAM?.Config ?? []).map((config: {Gateway?: string}) => config.Gateway).find((address: string | undefined) => address && address.includes('.'))
  if (!gateway) throw new Error(`the sandbox network ${fixture.network} has no IPv4 gateway`)
  return gateway
}
