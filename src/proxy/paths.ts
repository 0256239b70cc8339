/**
 * Where tunnels live on the local machine: the default socket of a host's
 * tunnel, and the state directory where each running tunnel records its pid,
 * endpoint and host. Directories tk makes here are private (0700): a tunnel's
 * socket gives full control of a remote engine.
 */
import {lstatSync, mkdirSync} from 'node:fs'
import {homedir, tmpdir} from 'node:os'
import {join} from 'node:path'

import {EnvironmentError} from '../errors/index.js'

/** A unix socket path must fit in sockaddr_un (108 bytes on Linux, 104 on macOS). */
export const MAX_SOCKET_PATH = 103

/** A host name as a file name: user@host:port becomes user@host_port. */
export function fileNameFor(host: string): string {
  const safe = host.replace(/[^A-Za-z0-9@._-]/g, '_').replace(/^\.+/, '_')
  return safe.length > 64 ? `${safe.slice(0, 48)}-${hash(host)}` : safe
}

function hash(text: string): string {
  let h = 2166136261
  for (const char of text) h = Math.imul(h ^ char.charCodeAt(0), 16777619) >>> 0
  return h.toString(16).padStart(8, '0')
}

export interface PathEnvironment {
  env: NodeJS.ProcessEnv
  home: string
  tmp: string
  uid: number
}

export function pathEnvironment(env: NodeJS.ProcessEnv = process.env): PathEnvironment {
  return {env, home: homedir(), tmp: tmpdir(), uid: process.getuid?.() ?? 0}
}

/** ~/.local/state/tk (or $XDG_STATE_HOME/tk). */
export function stateHome(where: PathEnvironment): string {
  return join(where.env.XDG_STATE_HOME || join(where.home, '.local', 'state'), 'tk')
}

/** The directory holding tunnel state files. */
export function tunnelStateDir(where: PathEnvironment = pathEnvironment()): string {
  return join(stateHome(where), 'tunnels')
}

/**
 * Candidate directories for default sockets, best first: $XDG_RUNTIME_DIR/tk
 * (per-user, tmpfs, removed at logout), ~/.local/state/tk/run, then
 * $TMPDIR/tk-UID. The first whose socket path fits is used.
 */
export function socketDirCandidates(where: PathEnvironment): string[] {
  const dirs: string[] = []
  if (where.env.XDG_RUNTIME_DIR) dirs.push(join(where.env.XDG_RUNTIME_DIR, 'tk'))
  dirs.push(join(stateHome(where), 'run'), join(where.tmp, `tk-${where.uid}`))
  return dirs
}

/** The default socket path for a host's tunnel; tunnels of another project's host of the same name get another. */
export function defaultSocketPath(host: string, where: PathEnvironment = pathEnvironment(), project?: string): string {
  const name = project ? `${fileNameFor(host)}-${hash(project).slice(0, 8)}.sock` : `${fileNameFor(host)}.sock`
  for (const dir of socketDirCandidates(where)) {
    const path = join(dir, name)
    if (Buffer.byteLength(path) <= MAX_SOCKET_PATH) return path
  }
  return join(where.tmp, `tk-${where.uid}`, `${hash(project ? `${project}\n${host}` : host)}.sock`)
}

/**
 * Makes `dir` (and its parents) with mode 0700, and refuses one that another
 * user owns or that others can enter: a socket there would not be private.
 */
export function ensurePrivateDir(dir: string): void {
  try {
    mkdirSync(dir, {recursive: true, mode: 0o700})
  } catch (error) {
    throw new EnvironmentError(`cannot make ${dir} for the tunnel socket: ${(error as Error).message}`, {hint: 'pass --socket PATH'})
  }
  // lstat: a symlink planted in a shared directory (/tmp) could be pointed elsewhere later.
  const stat = lstatSync(dir)
  const uid = process.getuid?.()
  if (stat.isSymbolicLink()) throw new EnvironmentError(`${dir} is a symbolic link: refusing to put a tunnel socket there`, {hint: 'remove it, or pass --socket PATH'})
  if (!stat.isDirectory()) throw new EnvironmentError(`${dir} is not a directory`)
  if (uid !== undefined && stat.uid !== uid) {
    throw new EnvironmentError(`${dir} belongs to another user (uid ${stat.uid}): refusing to put a tunnel socket there`, {hint: 'pass --socket PATH'})
  }
  if ((stat.mode & 0o077) !== 0) {
    throw new EnvironmentError(`${dir} is open to other users (mode ${(stat.mode & 0o777).toString(8)}): refusing to put a tunnel socket there`, {
      hint: `chmod 700 ${dir}, or pass --socket PATH`,
    })
  }
}
