/**
 * Base images of sandbox machines, one per Debian release: a minimal
 * debootstrap tree with systemd and OpenSSH, the sandbox's users baked in,
 * imported into the private engine with /sbin/init as its command. Built once
 * and reused by tag; rebuilt only when the sandbox's user keys change.
 */
import {execFile, spawn} from 'node:child_process'
import {createWriteStream} from 'node:fs'
import {chmod, chown, mkdir, readdir, readFile, symlink, unlink, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {promisify} from 'node:util'

import type Docker from 'dockerode'

import {EnvironmentError} from '../../errors/index.js'
import {type SandboxCredentials, USER_IDS} from './credentials.js'
import type {SandboxEngine} from './engine.js'
import {checkSandboxRequirements} from './requirements.js'

const run = promisify(execFile)

export const RELEASES = ['bullseye', 'bookworm', 'trixie'] as const
export type Release = (typeof RELEASES)[number]
export const DEFAULT_RELEASE: Release = 'bookworm'

export const IMAGE_REPOSITORY = 'tk-sandbox/debian'
export const LABEL = {
  release: 'tk.sandbox.release',
  credentials: 'tk.sandbox.credentials',
  recipe: 'tk.sandbox.recipe',
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
  await checkSandboxRequirements({images: true})
  const home = engine.home
  const root = join(home.buildDir, `${release}-${process.pid}`)
  const logFile = join(home.buildDir, `${release}.log`)
  const cache = join(home.cacheDir, 'debootstrap', release)
  await mkdir(cache, {recursive: true})
  await removeAbandonedTrees(home.buildDir, release)
  await mkdir(root, {recursive: true})
  try {
    const proxy = await aptProxy()
    const code = await runLogged(
      'debootstrap',
      ['--variant=minbase', `--include=${PACKAGES.join(',')}`, `--cache-dir=${cache}`, release, root, MIRROR],
      logFile,
      proxy ? {...process.env, http_proxy: proxy} : process.env,
    )
    if (code !== 0) {
      const last = (await readFile(logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-1)[0] ?? ''
      throw new EnvironmentError(`debootstrap of Debian ${release} failed (exit ${code}): ${last}`, {
        hint: `its log is ${logFile}; the build needs ${MIRROR}`,
      })
    }
    await prepareTree(root, credentials, proxy)
    await importTree(engine.docker, root, release, credentials)
  } finally {
    await removeTree(root)
  }
}

/** Turns a debootstrap tree into a machine image: users, sudo, sshd, boot. */
async function prepareTree(root: string, credentials: SandboxCredentials, proxy: string | undefined): Promise<void> {
  const inRoot = (path: string) => join(root, path)
  const chroot = (args: string[], input?: string) => runWithInput('chroot', [root, ...args], input)

  // Every machine gets its own host key, copied in before its first boot.
  await run('sh', ['-c', 'rm -f "$1"/etc/ssh/ssh_host_*', 'sh', root])
  await mkdir(inRoot('etc/ssh/sshd_config.d'), {recursive: true})
  await writeFile(inRoot('etc/ssh/sshd_config.d/tk-sandbox.conf'), 'HostKey /etc/ssh/ssh_host_ed25519_key\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n')

  for (const user of ['admin', 'op'] as const) {
    const uid = USER_IDS[user]
    await chroot(['groupadd', '--gid', String(uid), user])
    await chroot(['useradd', '--create-home', '--shell', '/bin/bash', '--uid', String(uid), '--gid', String(uid), user])
    const sshDir = inRoot(`home/${user}/.ssh`)
    await mkdir(sshDir, {mode: 0o700})
    await writeFile(join(sshDir, 'authorized_keys'), `${credentials.users[user].publicKey}\n`, {mode: 0o600})
    await chown(sshDir, uid, uid)
    await chown(join(sshDir, 'authorized_keys'), uid, uid)
  }
  // admin has no password but is not locked (a locked account may not log in with a key).
  await chroot(['usermod', '--password', '*', 'admin'])
  await chroot(['chpasswd'], `op:${credentials.opPassword}\n`)
  await writeFile(inRoot('etc/sudoers.d/tk-sandbox'), 'admin ALL=(ALL:ALL) NOPASSWD: ALL\nop ALL=(ALL:ALL) ALL\n')
  await chmod(inRoot('etc/sudoers.d/tk-sandbox'), 0o440)

  // An empty machine-id: each machine is given its own when it is created.
  await writeFile(inRoot('etc/machine-id'), '')
  await unlink(inRoot('var/lib/dbus/machine-id')).catch(() => {})
  for (const unit of MASKED_UNITS) {
    await unlink(inRoot(`etc/systemd/system/${unit}`)).catch(() => {})
    await symlink('/dev/null', inRoot(`etc/systemd/system/${unit}`))
  }
  if (proxy) await writeFile(inRoot('etc/apt/apt.conf.d/01tk-sandbox-proxy'), `Acquire::http::Proxy "${proxy}";\n`)
  await run('sh', ['-c', 'rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*_Packages', 'sh', root])
}

async function importTree(docker: Docker, root: string, release: Release, credentials: SandboxCredentials): Promise<void> {
  const tar = spawn('tar', ['-C', root, '--numeric-owner', '-c', '.'], {stdio: ['ignore', 'pipe', 'pipe']})
  let tarError = ''
  tar.stderr.on('data', (chunk) => (tarError += chunk))
  const tarDone = new Promise<number>((resolve) => tar.on('close', (code) => resolve(code ?? 1)))
  const stream = await docker.importImage(tar.stdout, {
    repo: IMAGE_REPOSITORY,
    tag: release,
    changes: [
      'CMD ["/sbin/init"]',
      'ENV container=docker',
      `LABEL ${LABEL.release}=${release} ${LABEL.credentials}=${credentials.digest} ${LABEL.recipe}=${RECIPE}`,
    ],
  })
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (error: Error | null, output: Array<{error?: string}>) => {
      const failure = error?.message ?? output.find((event) => event.error)?.error
      if (failure) reject(new Error(`importing the Debian ${release} image failed: ${failure}`))
      else resolve()
    })
  })
  const code = await tarDone
  if (code !== 0) throw new Error(`tar of the Debian ${release} tree failed: ${tarError.trim()}`)
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
    const match = new RegExp(`^${release}-(\\d+)$`).exec(entry)
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
