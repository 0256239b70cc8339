/**
 * Base images of sandbox machines, one per Debian release: a minimal
 * debootstrap tree with systemd and OpenSSH, the sandbox's users baked in,
 * imported into the private engine with /sbin/init as its command. Built once
 * and reused by tag; rebuilt only when the sandbox's user keys change.
 */
import {execFile, spawn} from 'node:child_process'
import {createReadStream, createWriteStream} from 'node:fs'
import {mkdir, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import type {Readable} from 'node:stream'
import {promisify} from 'node:util'

import type Docker from 'dockerode'

import {EnvironmentError} from '../../errors/index.js'
import {type SandboxCredentials, USER_IDS} from './credentials.js'
import type {SandboxEngine} from './engine.js'
import {hostScript} from '../../transport/host-scripts.js'
import {shQuote} from '../../transport/sh-quote.js'
import {buildsAsRoot, checkSandboxRequirements} from './requirements.js'

const run = promisify(execFile)

export const RELEASES = ['bullseye', 'bookworm', 'trixie'] as const
export type Release = (typeof RELEASES)[number]
export const DEFAULT_RELEASE: Release = 'bookworm'

export const IMAGE_REPOSITORY = 'tk-sandbox/debian'
export const LABEL = {
  release: 'tk.sandbox.release',
  credentials: 'tk.sandbox.credentials',
  recipe: 'tk.sandbox.recipe',
  /** On machines: their published ports, canonical (publishedPortsKey). */
  ports: 'tk.sandbox.ports',
} as const

const MIRROR = 'http://deb.debian.org/debian'
const PACKAGES = ['systemd', 'systemd-sysv', 'dbus', 'openssh-server', 'sudo', 'iproute2', 'ca-certificates', 'procps', 'kmod']

/**
 * Units that cost boot time or interfere with tests in a container: consoles
 * nobody logs in on, and the daily apt runs that would hold apt's lock while
 * a test installs packages.
 */
const MASKED_UNITS = [
  'getty@tty1.service',
  'console-getty.service',
  'apt-daily.timer',
  'apt-daily-upgrade.timer',
  'e2scrub_all.timer',
  'e2scrub_reap.service',
  'fstrim.timer',
  'systemd-firstboot.service',
  // The kernel is the host's and has no loadable modules; these mounts and
  // loaders only fail or do nothing inside a machine.
  'modprobe@.service',
  'systemd-modules-load.service',
  'kmod-static-nodes.service',
  'systemd-pstore.service',
  'systemd-binfmt.service',
  'proc-sys-fs-binfmt_misc.automount',
  'dev-hugepages.mount',
  'sys-kernel-debug.mount',
  'sys-kernel-tracing.mount',
  'sys-kernel-config.mount',
  'sys-fs-fuse-connections.mount',
]

/** Changes whenever the way images are made changes: older images are rebuilt. */
const RECIPE = '2'

export function isRelease(value: string): value is Release {
  return (RELEASES as readonly string[]).includes(value)
}

export function imageTag(release: Release): string {
  return `${IMAGE_REPOSITORY}:${release}`
}

export interface ImageResult {
  release: Release
  tag: string
  /** False when the image was already there. */
  built: boolean
  seconds: number
}

/** The HTTP proxy apt uses on this machine, if any, so that builds go the same way. */
export async function aptProxy(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  if (env.http_proxy) return env.http_proxy
  try {
    const {stdout} = await run('apt-config', ['dump', 'Acquire::http::Proxy'])
    const match = /^Acquire::http::Proxy "([^"]+)";/m.exec(stdout)
    return match && match[1] !== 'DIRECT' && match[1] !== 'false' ? match[1] : undefined
  } catch {
    return undefined
  }
}

async function imageLabels(docker: Docker, tag: string): Promise<Record<string, string> | undefined> {
  try {
    const info = await docker.getImage(tag).inspect()
    return info.Config?.Labels ?? {}
  } catch (error) {
    if ((error as {statusCode?: number}).statusCode === 404) return undefined
    throw error
  }
}

/** The image of a release, built when missing or made for other user keys. */
export async function ensureImage(engine: SandboxEngine, credentials: SandboxCredentials, release: Release): Promise<ImageResult> {
  const started = Date.now()
  const tag = imageTag(release)
  const labels = await imageLabels(engine.docker, tag)
  if (labels?.[LABEL.credentials] === credentials.digest && labels[LABEL.recipe] === RECIPE) return {release, tag, built: false, seconds: 0}
  await buildImage(engine, credentials, release)
  return {release, tag, built: true, seconds: (Date.now() - started) / 1000}
}

/** Images of several releases; missing ones are built in parallel. */
export async function ensureImages(engine: SandboxEngine, credentials: SandboxCredentials, releases: readonly Release[] = RELEASES): Promise<ImageResult[]> {
  // Settle all before failing, so that no build is left half done.
  const outcomes = await Promise.allSettled([...new Set(releases)].map((release) => ensureImage(engine, credentials, release)))
  const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected')
  if (failed) throw failed.reason
  return outcomes.map((outcome) => (outcome as PromiseFulfilledResult<ImageResult>).value)
}

async function buildImage(engine: SandboxEngine, credentials: SandboxCredentials, release: Release): Promise<void> {
  await checkSandboxRequirements({images: true, shared: engine.home.engine.shared})
  const home = engine.home
  const logFile = join(home.buildDir, `${release}.log`)
  await mkdir(home.buildDir, {recursive: true, mode: 0o700})
  await removeAbandonedTrees(home.buildDir, release)
  const proxy = await aptProxy()
  const inputs = await prepareInputs(home.buildDir, release, credentials, proxy)
  try {
    await (buildsAsRoot() ? buildAsRoot : buildInUserNamespace)(engine, credentials, release, {inputs, logFile, proxy})
  } finally {
    await rm(inputs, {recursive: true, force: true})
  }
}

interface Build {
  /** A private directory with the prepare script and its inputs (see host-scripts/sandbox-image-prepare.sh). */
  inputs: string
  logFile: string
  proxy: string | undefined
}

const PREPARE_DIR = '/tmp/tk-prepare'

/** The script's arguments: the users' ids, then the units to mask. */
function prepareArguments(): string[] {
  return [String(USER_IDS.admin), String(USER_IDS.op), ...MASKED_UNITS]
}

/** The prepare script and what it reads, in a directory only this user can read. */
async function prepareInputs(buildDir: string, release: Release, credentials: SandboxCredentials, proxy: string | undefined): Promise<string> {
  const dir = join(buildDir, `${release}-inputs-${process.pid}`)
  await rm(dir, {recursive: true, force: true})
  await mkdir(dir, {mode: 0o700})
  const files: Record<string, string> = {
    'prepare.sh': await hostScript('sandbox-image-prepare.sh'),
    'admin.pub': `${credentials.users.admin.publicKey}\n`,
    'op.pub': `${credentials.users.op.publicKey}\n`,
    'op.chpasswd': `op:${credentials.opPassword}\n`,
    proxy: proxy ?? '',
  }
  for (const [name, data] of Object.entries(files)) await writeFile(join(dir, name), data, {mode: 0o600})
  return dir
}

/** As root: debootstrap into a tree, prepare it by chroot, import it as a tar stream. */
async function buildAsRoot(engine: SandboxEngine, credentials: SandboxCredentials, release: Release, build: Build): Promise<void> {
  const home = engine.home
  const root = join(home.buildDir, `${release}-${process.pid}`)
  const cache = join(home.cacheDir, 'debootstrap', release)
  await mkdir(cache, {recursive: true})
  await mkdir(root, {recursive: true})
  try {
    const code = await runLogged(
      'debootstrap',
      ['--variant=minbase', `--include=${PACKAGES.join(',')}`, `--cache-dir=${cache}`, release, root, MIRROR],
      build.logFile,
      build.proxy ? {...process.env, http_proxy: build.proxy} : process.env,
    )
    if (code !== 0) throw await buildFailure('debootstrap', release, code, build.logFile)
    await run('cp', ['-a', `${build.inputs}/.`, join(root, PREPARE_DIR)])
    await runWithInput('chroot', [root, 'sh', `${PREPARE_DIR}/prepare.sh`, ...prepareArguments()])
    const tar = spawn('tar', ['-C', root, '--numeric-owner', '-c', '.'], {stdio: ['ignore', 'pipe', 'pipe']})
    let tarError = ''
    tar.stderr.on('data', (chunk) => (tarError += chunk))
    const tarDone = new Promise<string>((resolve) => {
      tar.on('error', (error) => resolve(`tar: ${error.message}`))
      tar.on('close', (code) => resolve(code === 0 ? '' : `tar of the Debian ${release} tree failed (exit ${code}): ${tarError.trim()}`))
    })
    await importStream(engine.docker, tar.stdout, tarDone, release, credentials)
  } finally {
    await removeTree(root)
  }
}

/**
 * As anyone else: mmdebstrap --mode=unshare builds the tree in a user
 * namespace (the image's owners mapped onto the user's subordinate ids),
 * runs the same prepare script inside it, and writes a tarball (in the
 * build's private directory, removed after) that is imported into the engine.
 */
async function buildInUserNamespace(engine: SandboxEngine, credentials: SandboxCredentials, release: Release, build: Build): Promise<void> {
  // mmdebstrap splits a special hook's arguments at spaces: no quoting, and the sandbox home has none (checked).
  const inputs = ['prepare.sh', 'admin.pub', 'op.pub', 'op.chpasswd', 'proxy'].map((name) => join(build.inputs, name))
  if (/\s/.test(build.inputs)) throw new EnvironmentError(`sandbox home ${engine.home.root} has a space in its path, which mmdebstrap cannot copy from`, {hint: 'set TK_SANDBOX_HOME to a path without spaces'})
  const args = [
    '--mode=unshare',
    '--variant=minbase',
    '--format=tar',
    `--include=${PACKAGES.join(',')}`,
    `--customize-hook=mkdir -p "$1"${PREPARE_DIR}`,
    `--customize-hook=copy-in ${inputs.join(' ')} ${PREPARE_DIR}`,
    `--customize-hook=chroot "$1" sh ${PREPARE_DIR}/prepare.sh ${prepareArguments().map((arg) => shQuote(arg)).join(' ')}`,
    ...(build.proxy ? [`--aptopt=Acquire::http::Proxy "${build.proxy}"`] : []),
    release,
    // A file, not a pipe into the import: the engine would wait minutes for a first byte (mmdebstrap writes at the end), and drop it.
    join(build.inputs, 'image.tar'),
    MIRROR,
  ]
  const code = await runLogged('mmdebstrap', args, build.logFile, process.env)
  if (code !== 0) throw await buildFailure('mmdebstrap', release, code, build.logFile)
  const tarball = createReadStream(join(build.inputs, 'image.tar'))
  await importStream(engine.docker, tarball, new Promise((resolve) => tarball.once('close', () => resolve(''))), release, credentials)
}

async function buildFailure(command: string, release: Release, code: number, logFile: string): Promise<EnvironmentError> {
  const last = (await readFile(logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-1)[0] ?? ''
  return new EnvironmentError(`${command} of Debian ${release} failed (exit ${code}): ${last}`, {
    hint: `its log is ${logFile}; the build needs ${MIRROR}`,
  })
}

/**
 * Imports a tarball of a tree as the release's image. `finished` settles when
 * whatever writes `body` is done, with why it failed ('' when it did not).
 */
async function importStream(docker: Docker, body: Readable, finished: Promise<string>, release: Release, credentials: SandboxCredentials): Promise<void> {
  const stream = await docker.importImage(body, {
    repo: IMAGE_REPOSITORY,
    tag: release,
    changes: [
      'CMD ["/sbin/init"]',
      'ENV container=docker',
      `LABEL ${LABEL.release}=${release} ${LABEL.credentials}=${credentials.digest} ${LABEL.recipe}=${RECIPE}`,
    ],
  })
  const imported = new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (error: Error | null, output: Array<{error?: string}>) => {
      const failure = error?.message ?? output.find((event) => event.error)?.error
      if (failure) reject(new Error(`importing the Debian ${release} image failed: ${failure}`))
      else resolve()
    })
  })
  // Awaited below, after the writer's outcome, which says more when both fail.
  imported.catch(() => {})
  const failure = await finished
  if (failure) {
    // What was imported is a partial tree: never leave it tagged as the release's image.
    await imported.catch(() => {})
    await docker.getImage(imageTag(release)).remove({force: true}).catch(() => {})
    throw new Error(failure)
  }
  await imported
}

function runLogged(command: string, args: string[], logFile: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const log = createWriteStream(logFile)
    log.on('open', () => {
      const child = spawn(command, args, {stdio: ['ignore', 'pipe', 'pipe'], env})
      child.stdout.pipe(log, {end: false})
      child.stderr.pipe(log, {end: false})
      child.on('error', reject)
      child.on('close', (code) => log.end(() => resolve(code ?? 1)))
    })
    log.on('error', reject)
  })
}

function runWithInput(command: string, args: string[], input?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {stdio: ['pipe', 'ignore', 'pipe']})
    let stderr = ''
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (${code}): ${stderr.trim()}`))))
    // A command that exits without reading its input (most chroot calls here) closes the pipe first:
    // the EPIPE is not a failure of its own, its exit code says how it went.
    child.stdin.on('error', () => {})
    child.stdin.end(input ?? '')
  })
}

/** Trees of builds whose process is gone (killed midway), and this process's own. */
async function removeAbandonedTrees(buildDir: string, release: Release): Promise<void> {
  const entries = await readdir(buildDir).catch(() => [] as string[])
  for (const entry of entries) {
    // Build trees, and input directories (op's password) of builds that were killed.
    const match = new RegExp(`^${release}-(?:inputs-)?(\\d+)$`).exec(entry)
    if (!match) continue
    const pid = Number(match[1])
    let alive = pid !== process.pid
    if (alive) {
      try {
        process.kill(pid, 0)
      } catch {
        alive = false
      }
    }
    if (!alive) await removeTree(join(buildDir, entry))
  }
}

/** Removes a build tree, first unmounting anything debootstrap left mounted in it. */
async function removeTree(root: string): Promise<void> {
  const mounts = (await readFile('/proc/mounts', 'utf8').catch(() => ''))
    .split('\n')
    .map((line) => line.split(' ')[1])
    .filter((point): point is string => point !== undefined && (point === root || point.startsWith(`${root}/`)))
    .sort((a, b) => b.length - a.length)
  for (const point of mounts) await run('umount', ['-l', point]).catch(() => {})
  // --one-file-system: never follow a mount that could not be undone into the host.
  await run('rm', ['-rf', '--one-file-system', root]).catch(() => {})
}
