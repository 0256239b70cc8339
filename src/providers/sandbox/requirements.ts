/**
 * What the local machine needs before it can host sandbox machines, checked
 * up front so that a missing piece is one clear line, not a stack from deep
 * inside an engine start or an image build.
 */
import {constants} from 'node:fs'
import {access} from 'node:fs/promises'
import {delimiter, join} from 'node:path'

import {EnvironmentError} from '../../errors/index.js'

/** The programs the provider runs, and the Debian package that brings each. */
const PROGRAMS: ReadonlyArray<{program: string; package: string; forImages?: boolean}> = [
  {program: 'dockerd', package: 'docker.io'},
  {program: 'ssh-keygen', package: 'openssh-client'},
  {program: 'debootstrap', package: 'debootstrap', forImages: true},
  {program: 'tar', package: 'tar', forImages: true},
  {program: 'chroot', package: 'coreutils', forImages: true},
]

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
export async function checkSandboxRequirements(options: {images?: boolean} = {}): Promise<void> {
  if (process.platform !== 'linux') {
    throw new EnvironmentError('sandbox machines need a Linux machine')
  }
  if (process.getuid?.() !== 0) {
    throw new EnvironmentError('sandbox machines need root: the private Docker engine and debootstrap run as root', {
      hint: 'run as root (sudo -E)',
    })
  }
  const needed = PROGRAMS.filter((entry) => options.images || !entry.forImages)
  const missing: typeof needed[number][] = []
  for (const entry of needed) if (!(await findProgram(entry.program))) missing.push(entry)
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((entry) => entry.package))].join(' ')
    throw new EnvironmentError(`sandbox machines need ${missing.map((entry) => entry.program).join(', ')}, not found on this machine; install them: apt-get install -y ${packages}`)
  }
}
