/**
 * `tk docker` as a service: a docker command against one host's engine,
 * either with the local docker CLI through the host's tunnel (started in the
 * background on demand, left running for the next call) or, without a local
 * CLI, as `docker ARGS` run on the host over SSH. Fan-out over many hosts
 * always runs on the hosts, lines prefixed, through `tk exec`'s machinery.
 *
 * The tunnel path is on the clock (every `tk docker HOST` call pays it), so
 * nothing here loads the SSH transport (ssh2) until a remote run needs it.
 */
import {spawn} from 'node:child_process'
import {accessSync, constants, existsSync, statSync} from 'node:fs'
import {constants as osConstants} from 'node:os'
import {delimiter, join} from 'node:path'

import {EnvironmentError} from '../errors/index.js'
import type {Target} from '../targets/index.js'
import type {TransportOptions} from '../transport/connection.js'
import {withoutSecrets} from '../transport/secret-env.js'
import {shQuote} from '../transport/sh-quote.js'
import {loginShellCommand} from '../transport/login-shell.js'
import {liveTunnels, type TunnelState} from './state.js'

/** The docker executable on PATH, or undefined when there is none. */
export function findLocalDocker(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue
    const candidate = join(dir, 'docker')
    try {
      if (!statSync(candidate).isFile()) continue
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return undefined
}

/**
 * The running tunnel to `host` (as given to tk tunnel or tk docker) started
 * under the same tk.yml (`project`, undefined for none), preferring one on a
 * unix socket whose file is still there (a logout may have removed
 * $XDG_RUNTIME_DIR under a tunnel that runs on).
 */
export function runningTunnel(host: string, project: string | undefined): TunnelState | undefined {
  const matches = liveTunnels().filter((state) => state.host === host && state.project === project && (state.socket === undefined || existsSync(state.socket)))
  return matches.find((state) => state.socket) ?? matches[0]
}

/**
 * The running tunnel to `host`, or a new one started in the background with
 * the same transport flags (`tunnelArgv`: everything after `tk tunnel HOST`).
 */
export async function ensureTunnel(host: string, project: string | undefined, tunnelArgv: string[]): Promise<{state: TunnelState; started: boolean}> {
  const existing = runningTunnel(host, project)
  if (existing) return {state: existing, started: false}
  const {detachTunnel} = await import('./service.js')
  try {
    return {state: await detachTunnel(host, [host, ...tunnelArgv]), started: true}
  } catch (error) {
    // Another tk docker HOST started the same tunnel at the same moment and took the socket: use that one.
    const raced = runningTunnel(host, project)
    if (raced) return {state: raced, started: false}
    throw error
  }
}

/**
 * For a running tunnel that is not connected (it lost its connection and is
 * reconnecting): one connection to the host as tk would make it, closed at
 * once, so that a host that cannot be reached (a sandbox machine removed,
 * sshd down, a key refused) fails now with tk's line and exit code instead
 * of docker waiting out the tunnel's reconnects. When it succeeds, the
 * tunnel's next attempt (which docker's first request triggers) will too.
 */
export async function checkReachable(target: Target, transport: TransportOptions): Promise<void> {
  const {HostConnector} = await import('../fleet/host-connector.js')
  const connector = new HostConnector(transport)
  try {
    await connector.get(target)
  } finally {
    await connector.closeAll()
  }
}

/**
 * Runs the local docker CLI against `endpoint` with tk's stdin, stdout and
 * stderr; resolves with its exit code (128+n for a signal). Ctrl-C reaches
 * docker through the terminal's process group; tk waits for docker's code.
 */
export async function runLocalDocker(docker: string, endpoint: string, args: string[]): Promise<number> {
  // tk's secrets are tk's: the docker CLI and whatever it starts (credential helpers, plugins) never see them.
  const env: NodeJS.ProcessEnv = {...withoutSecrets(process.env), DOCKER_HOST: endpoint}
  delete env.DOCKER_CONTEXT
  const ignore = () => undefined
  process.on('SIGINT', ignore)
  process.on('SIGQUIT', ignore)
  try {
    return await new Promise<number>((resolve, reject) => {
      const child = spawn(docker, args, {stdio: 'inherit', env})
      child.once('error', (error) => reject(new EnvironmentError(`cannot run ${docker}: ${error.message}`)))
      child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? osConstants.signals[signal] : 15)))
    })
  } finally {
    process.off('SIGINT', ignore)
    process.off('SIGQUIT', ignore)
  }
}

/** `docker ARGS` as one line for the remote user's shell, every argument quoted. */
export function remoteDockerCommand(args: string[]): string {
  return ['docker', ...args.map((arg) => shQuote(arg))].join(' ')
}

/**
 * True when a docker option appears anywhere in the arguments: --long,
 * --long=true, or a short flag cluster holding the letter (-it). Options of
 * the command run in the container count too: docker's value-taking options
 * (--name x) make "where docker's own options end" unknowable here, and a pty
 * or stdin given too often costs less than one missing for `run --name x -it`.
 */
function dockerOption(args: string[], letter: string, long: string): boolean {
  return args.some((arg) => arg === `--${long}` || arg === `--${long}=true` || (/^-[A-Za-z]+$/.test(arg) && arg.includes(letter)))
}

/** The arguments ask for a terminal (-t, --tty, -it). */
export const wantsTty = (args: string[]): boolean => dockerOption(args, 't', 'tty')

/** The arguments ask for stdin (-i, --interactive). */
export const wantsStdin = (args: string[]): boolean => dockerOption(args, 'i', 'interactive')

export interface RemoteDockerOptions {
  transport: TransportOptions
  /** Run on a pty (docker -t from a terminal): raw keys in, window size followed. */
  pty: boolean
  /** Forward a terminal's stdin without a pty too (docker -i); stdin that is not a terminal is always forwarded. */
  interactive?: boolean
}

/**
 * Runs `docker ARGS` on the host over one SSH session channel: stdin streams
 * in, stdout and stderr stream out (merged on a pty), the exit code is the
 * remote command's.
 */
export async function runRemoteDocker(target: Target, args: string[], options: RemoteDockerOptions): Promise<number> {
  const {HostConnector} = await import('../fleet/host-connector.js')
  const {exitCodeOf} = await import('../transport/connection.js')
  const connector = new HostConnector(options.transport)
  const {stdin, stdout, stderr} = process
  try {
    const host = await connector.get(target)
    const pty = options.pty ? {term: process.env.TERM || 'xterm-256color', rows: stdout.rows || 24, cols: stdout.columns || 80, width: 0, height: 0} : undefined
    const channel = await host.connection.exec(loginShellCommand(`exec ${remoteDockerCommand(args)}`), {pty})
    const closed = channel.whenClosed.then(() => exitCodeOf(channel.exitStatus.code, channel.exitStatus.signal))
    const onResize = () => channel.setWindow(stdout.rows || 24, stdout.columns || 80, 0, 0)
    const wasRaw = stdin.isTTY ? stdin.isRaw : false
    if (pty && stdin.isTTY) stdin.setRawMode(true)
    if (pty) stdout.on('resize', onResize)
    // A terminal's stdin goes in only when asked for (-i, -t): docker ignores it otherwise, and tk would wait for a keypress.
    const forwardStdin = pty !== undefined || options.interactive === true || !stdin.isTTY
    if (forwardStdin) stdin.pipe(channel)
    else channel.end()
    channel.pipe(stdout, {end: false})
    channel.stderr.pipe(stderr, {end: false})
    try {
      return await closed
    } finally {
      if (pty) stdout.off('resize', onResize)
      if (forwardStdin) stdin.unpipe(channel)
      if (pty && stdin.isTTY) stdin.setRawMode(wasRaw)
      stdin.pause()
      ;(stdin as {unref?: () => void}).unref?.()
    }
  } finally {
    await connector.closeAll()
  }
}
