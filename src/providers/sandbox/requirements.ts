/**
 * What the local machine needs before it can host sandbox machines, checked
 * up front so that a missing piece is one clear line, not a stack from deep
 * inside an engine start or an image build.
 */
import {spawn} from 'node:child_process'
import {constants} from 'node:fs'
import {access, readFile} from 'node:fs/promises'
import {userInfo} from 'node:os'
import {delimiter, join} from 'node:path'

import {EnvironmentError} from '../../errors/index.js'

interface Program {
  program: string
  package: string
  forImages?: boolean
}

/** The programs the provider runs as root with its private engine, and the Debian package that brings each. */
const PROGRAMS: readonly Program[] = [
  {program: 'dockerd', package: 'docker.io'},
  // The private engine's own bridge is made with ip (see engine.ts).
  {program: 'ip', package: 'iproute2'},
  {program: 'ssh-keygen', package: 'openssh-client'},
  {program: 'debootstrap', package: 'debootstrap', forImages: true},
  {program: 'tar', package: 'tar', forImages: true},
  {program: 'chroot', package: 'coreutils', forImages: true},
]

/**
 * Those it runs as a user on the user's engine: no dockerd, and images are
 * built by mmdebstrap in a user namespace (newuidmap and newgidmap map the
 * image's owners onto the user's subordinate ids).
 */
const USER_PROGRAMS: readonly Program[] = [
  {program: 'ssh-keygen', package: 'openssh-client'},
  {program: 'mmdebstrap', package: 'mmdebstrap', forImages: true},
  {program: 'newuidmap', package: 'uidmap', forImages: true},
  {program: 'newgidmap', package: 'uidmap', forImages: true},
]

/** How images are built: debootstrap as root, or mmdebstrap --mode=unshare as anyone else. */
export function buildsAsRoot(uid: number | undefined = process.getuid?.()): boolean {
  return uid === 0
}

const SEARCH_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

export async function findProgram(name: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const dirs = [...(env.PATH ?? '').split(delimiter), ...SEARCH_PATH.split(delimiter)].filter(Boolean)
  for (const dir of dirs) {
    const candidate = join(dir, name)
    try {
      await access(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return undefined
}

/**
 * Throws a UserError (exit code ENVIRONMENT) naming what to install when the
 * machine cannot host sandboxes. `images` adds what building images needs.
 */
export async function checkSandboxRequirements(options: {images?: boolean; shared?: boolean} = {}): Promise<void> {
  if (process.platform !== 'linux') {
    throw new EnvironmentError('sandbox machines need a Linux machine')
  }
  const root = buildsAsRoot()
  if (!root && !options.shared) {
    throw new EnvironmentError("sandbox machines on tk's private Docker engine need root: it starts the engine and builds images as root", {
      hint: 'run as root (sudo -E), or use your own engine as a member of its docker group: TK_SANDBOX_ENGINE=user',
    })
  }
  const table = options.shared && !root ? USER_PROGRAMS : PROGRAMS
  const needed = table.filter((entry) => (options.images || !entry.forImages) && !(options.shared && entry.program === 'dockerd'))
  const missing: Program[] = []
  for (const entry of needed) if (!(await findProgram(entry.program))) missing.push(entry)
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((entry) => entry.package))].join(' ')
    throw new EnvironmentError(`sandbox machines need ${missing.map((entry) => entry.program).join(', ')}, not found on this machine; install them: apt-get install -y ${packages}`)
  }
  if (options.images && !root) await checkSubordinateIds()
}

/** The user's ranges in /etc/subuid or /etc/subgid (lines `name-or-uid:first:count`). */
export function subordinateIds(file: string, user: {name: string; uid: number}): number {
  let count = 0
  for (const line of file.split('\n')) {
    const [owner, , size] = line.trim().split(':')
    if (owner === user.name || owner === String(user.uid)) count += Number(size) || 0
  }
  return count
}

/** The ids an image's owners (root, the system users, admin and op) map onto: Debian's users reach 65534 (nobody). */
const IDS_NEEDED = 65_536

/**
 * mmdebstrap --mode=unshare maps the image's ids onto the user's subordinate
 * ids; without a range in /etc/subuid and /etc/subgid it fails deep inside.
 */
export async function checkSubordinateIds(user = {name: userInfo().username, uid: process.getuid?.() ?? -1}, files = {subuid: '/etc/subuid', subgid: '/etc/subgid'}): Promise<void> {
  const missing: string[] = []
  for (const file of Object.values(files)) {
    const count = subordinateIds(await readFile(file, 'utf8').catch(() => ''), user)
    if (count < IDS_NEEDED) missing.push(`${file} (${count === 0 ? 'none' : `${count}`})`)
  }
  if (missing.length > 0) {
    throw new EnvironmentError(`building sandbox images as ${user.name} needs ${IDS_NEEDED} subordinate ids, missing in ${missing.join(' and ')}`, {
      hint: `an admin gives them a free range, e.g. usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${user.name}`,
    })
  }
}

/** The Debian packages that bring the programs the sandbox lacks (with `images`, also those image builds need). */
export async function missingPackages(options: {images?: boolean} = {}, find: (program: string) => Promise<string | undefined> = findProgram): Promise<string[]> {
  const missing: string[] = []
  for (const entry of PROGRAMS) if ((options.images || !entry.forImages) && !(await find(entry.program))) missing.push(entry.package)
  return [...new Set(missing)]
}

/**
 * On a Debian machine, as root: installs what the sandbox lacks (docker.io,
 * debootstrap, ...) with apt-get, saying so first, so that the first tk up
 * on a fresh machine runs instead of stopping at a missing program. Does
 * nothing elsewhere; checkSandboxRequirements then names what to install.
 */
export async function installSandboxRequirements(
  say: (message: string) => void,
  options: {find?: (program: string) => Promise<string | undefined>; aptGet?: string} = {},
): Promise<string[]> {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return []
  const find = options.find ?? findProgram
  const missing = await missingPackages({images: true}, find)
  const aptGet = options.aptGet ?? (await find('apt-get'))
  if (missing.length === 0 || !aptGet) return []
  say(`installing ${missing.join(' ')} for sandbox machines (apt-get install, as root)`)
  const env = {...process.env, DEBIAN_FRONTEND: 'noninteractive'}
  await aptRun(aptGet, ['update', '-qq'], env)
  await aptRun(aptGet, ['install', '-y', '-qq', '--no-install-recommends', ...missing], env)
  return missing
}

function aptRun(aptGet: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(aptGet, args, {env, stdio: ['ignore', 'ignore', 'pipe']})
    let stderr = ''
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', (error) => reject(new EnvironmentError(`could not run ${aptGet}: ${error.message}`)))
    child.on('close', (code) => {
      if (code === 0) return resolve()
      const last = stderr.trim().split('\n').at(-1) ?? ''
      reject(new EnvironmentError(`apt-get ${args[0]} failed (exit ${code})${last ? `: ${last}` : ''}`, {hint: 'install the sandbox\'s packages by hand: apt-get install docker.io debootstrap'}))
    })
  })
}
