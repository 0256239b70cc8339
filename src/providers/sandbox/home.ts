/**
 * Where a sandbox keeps its state: the private engine's data and sockets, the
 * SSH keys of its users and machines, its own known_hosts, and the debootstrap
 * package cache. One directory, so that removing it removes the sandbox.
 */
import {homedir} from 'node:os'
import {join} from 'node:path'

import {EnvironmentError} from '../../errors/index.js'
import {chooseEngine, type EngineChoice} from './engine-choice.js'

export interface SandboxHome {
  root: string
  /**
   * The engine: the private dockerd's data-root, exec-root, API socket, pid
   * file and log; or, when `shared`, the user's engine (only its socket
   * counts, and tk never starts or stops it).
   */
  engine: {dataRoot: string; execRoot: string; socket: string; pidFile: string; logFile: string; shared: boolean}
  choice: EngineChoice
  /** User keys (admin, op), op's sudo password. */
  keysDir: string
  /** The sandbox's own known_hosts: one line per machine port, written by tk. */
  knownHosts: string
  /** debootstrap trees while an image is built, and debootstrap's package cache. */
  buildDir: string
  cacheDir: string
}

// A unix socket path must fit in 108 bytes; containerd puts its own sockets
// a few levels below the exec-root, so the home must stay short.
const MAX_HOME_LENGTH = 60

/**
 * TK_SANDBOX_HOME, else /var/lib/tk-sandbox for root, else the user's own
 * $XDG_STATE_HOME/tk/sandbox or ~/.local/state/tk/sandbox (made 0700).
 */
export function defaultSandboxRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TK_SANDBOX_HOME) return env.TK_SANDBOX_HOME
  if (process.getuid?.() === 0) return '/var/lib/tk-sandbox'
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'tk', 'sandbox')
}

export function sandboxHome(root = defaultSandboxRoot(), choice: EngineChoice = chooseEngine()): SandboxHome {
  if (!root.startsWith('/')) throw new EnvironmentError(`sandbox home ${root} is not an absolute path`, {hint: 'set TK_SANDBOX_HOME to an absolute path'})
  if (root.length > MAX_HOME_LENGTH) {
    throw new EnvironmentError(`sandbox home ${root} is longer than ${MAX_HOME_LENGTH} characters, too long for the engine's sockets`, {
      hint: 'set TK_SANDBOX_HOME to a shorter path',
    })
  }
  const engine = join(root, 'engine')
  return {
    root,
    engine: {
      dataRoot: join(engine, 'data'),
      execRoot: join(engine, 'exec'),
      socket: choice.kind === 'user' ? choice.socket : join(engine, 'docker.sock'),
      pidFile: join(engine, 'dockerd.pid'),
      logFile: join(engine, 'dockerd.log'),
      shared: choice.kind === 'user',
    },
    choice,
    keysDir: join(root, 'keys'),
    knownHosts: join(root, 'known_hosts'),
    buildDir: join(root, 'build'),
    cacheDir: join(root, 'cache'),
  }
}
