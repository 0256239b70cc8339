/**
 * The host interface over one SSH connection: every run, read, write and
 * stat on a host shares the connection. Scripts travel in the exec request,
 * encoded so that any login shell passes them to sh unchanged
 * (login-shell.ts), or on the channel's stdin when long or when stdin carries
 * data; root work goes through `sudo -n`, or `sudo -S` with the password on stdin.
 */
import type {ClientChannel} from 'ssh2'

import {ConnectionError, HostStateError, PrivilegeError, UserError} from '../errors/index.js'
import type {Host, PathStat, RunResult} from './host.js'
import {boundScript} from './host-scripts.js'
import {loginShellCommand} from './login-shell.js'
import {connect, type ExecChannel, exitCodeOf, type RemoteForward, type ShellSession, SshConnection, type TransportOptions} from './connection.js'
import {resolveTarget, type ResolvedTarget, type TargetSpec} from './target.js'
import {getOverUnixSocket, requestOverUnixSocket, type UnixHttpRequest, type UnixHttpResponse} from './unix-http.js'

export interface SshRunOptions {
  /** Data the script reads on its stdin (otherwise its stdin is empty). */
  stdin?: string | Buffer
  /** Kills the remote command (SIGTERM, then closes the channel) after this long; the result has timedOut and code 124. */
  timeoutMs?: number
  /** Streams stdout as it arrives; stdout is then not collected in the result. */
  onStdout?: (chunk: Buffer) => void
  /** Streams stderr as it arrives; stderr is then not collected in the result. */
  onStderr?: (chunk: Buffer) => void
  /** Runs as root: directly when the login user is root, else through sudo. */
  asRoot?: boolean
}

export interface SshRunResult extends RunResult {
  /** The signal that ended the remote command, if any (code is then 128+n). */
  signal?: string
  timedOut?: boolean
}

interface RawResult {
  code: number
  stdout: Buffer
  stderr: Buffer
  signal?: string
  timedOut?: boolean
}


/** Reads the whole script from stdin, then runs it: the script's own stdin is empty. */
const READ_SCRIPT = 'eval "$(cat)"'
/**
 * Reads "<byte count>\\n<script>" from stdin, then runs the script with the rest of stdin
 * as its stdin. dd with bs=1 never reads past the script.
 */
const READ_FRAMED = `IFS= read -r n || exit 125; case $n in ""|*[!0-9]*) echo "tk: malformed script frame" >&2; exit 125;; esac; s=$(dd bs=1 count="$n" 2>/dev/null); eval "$s"`

/** The exit code of host-scripts/file-read.sh and file-stat.sh when nothing is at the path. */
const MISSING = 44

/**
 * Scripts whose command is up to this size go in the exec request; longer ones on stdin.
 * Linux takes one argument of up to 128 KiB; the encoding makes a script up to 5 times longer.
 */
const INLINE_LIMIT = 64 * 1024

type Privilege = {mode: 'root'} | {mode: 'sudo'} | {mode: 'sudo-password'; password: string}

/** How this connection gets root, found once per connection and shared by its views. */
class PrivilegeState {
  private found: Promise<Privilege> | undefined
  private probed: Promise<string> | undefined
  constructor(private readonly host: SshHost) {}
  get(): Promise<Privilege> {
    this.found ??= this.discover()
    this.found.catch(() => (this.found = undefined)) // a failure (e.g. no password yet) may be retried
    return this.found
  }

  /** Starts the probe (read-only, never prompts) ahead of the first root command; its answer is kept for get(). */
  probe(): void {
    if (this.found || this.probed) return
    this.probed = this.ask()
    this.probed.catch(() => (this.probed = undefined)) // get() asks again
  }

  /** What the host says about root: root, sudo, no-sudo or "sudo-fails REASON". */
  private async ask(): Promise<string> {
    const probe = await this.host.runRaw(
      [
        'if [ "$(id -u)" = 0 ]; then echo root; exit 0; fi',
        'command -v sudo >/dev/null 2>&1 || { echo no-sudo; exit 0; }',
        'if out=$(sudo -n true 2>&1); then echo sudo; else echo "sudo-fails $out"; fi',
      ].join('\n'),
      {asRoot: false},
    )
    return probe.stdout.toString('utf8').trim()
  }

  private async discover(): Promise<Privilege> {
    const name = this.host.name
    const settings = this.host.connection.settings
    const early = this.probed
    this.probed = undefined
    const answer = (early ? await early.catch(() => undefined) : undefined) ?? (await this.ask())
    if (answer === 'root') return {mode: 'root'}
    if (answer === 'sudo') return {mode: 'sudo'}
    const user = this.host.connection.target.user
    if (answer === 'no-sudo') {
      throw new PrivilegeError(`${name}: root is needed, ${user} is not root and sudo is not installed`, {
        hint: 'Connect as root, or install sudo and allow this user to use it',
      })
    }
    const detail = answer.replace(/^sudo-fails\s*/, '')
    if (!/password is required/i.test(detail)) throw notAllowed(name, user, detail)
    const fromEnv = settings.env.TK_SUDO_PASSWORD || undefined
    let password = fromEnv
    if (password === undefined && settings.prompt) password = await settings.prompt({kind: 'sudo-password', message: `[sudo] password for ${user} on ${name}: `})
    if (password === undefined || password === '') {
      throw new PrivilegeError(`${name}: sudo wants a password for ${user}, and none was given`, {
        hint: 'Set TK_SUDO_PASSWORD, run interactively to be prompted, or allow the user passwordless sudo (NOPASSWD)',
      })
    }
    // Check the password once, with nothing else on stdin, so a wrong one never eats a script.
    const check = await this.host.runRaw(`sudo -S -p '' -v`, {stdin: `${password}\n`, asRoot: false})
    if (check.code !== 0) {
      const text = check.stderr.toString('utf8')
      if (/not in the sudoers|may not run sudo|not allowed/i.test(text)) throw notAllowed(name, user, text)
      throw new PrivilegeError(`${name}: sudo rejected the password for ${user}${fromEnv === undefined ? '' : ' from TK_SUDO_PASSWORD'}`)
    }
    return {mode: 'sudo-password', password}
  }
}

function notAllowed(name: string, user: string, detail: string): UserError {
  const line = detail.split('\n').find((l) => l.trim() !== '')?.trim()
  return new PrivilegeError(`${name}: ${user} may not use sudo${line ? ` (${line})` : ''}`, {
    hint: 'Connect as root, or grant the user sudo rights on the host',
  })
}

function typeOfMode(mode: number): PathStat['type'] {
  switch (mode & 0o170000) {
    case 0o100000:
      return 'file'
    case 0o040000:
      return 'directory'
    case 0o020000:
      return 'char-device'
    case 0o060000:
      return 'block-device'
    case 0o120000:
      return 'symlink'
    default:
      return 'other'
  }
}

export class SshHost implements Host {
  readonly name: string
  private readonly privilege: PrivilegeState

  /**
   * @param connection the connection this host runs over
   * @param options.asRoot every operation of this host runs as root
   * @param options.ownsConnection close() closes the connection (false for pooled views)
   */
  constructor(
    readonly connection: SshConnection,
    private readonly options: {asRoot?: boolean; ownsConnection?: boolean; privilege?: PrivilegeState} = {},
  ) {
    this.name = connection.name
    this.privilege = options.privilege ?? new PrivilegeState(this)
  }

  /** Resolves the target (ssh config), connects, and returns a host owning the connection. */
  static async connect(target: string | TargetSpec | ResolvedTarget, options: TransportOptions = {}): Promise<SshHost> {
    const resolved = typeof target === 'object' && 'hostname' in target ? target : resolveTarget(target, options)
    return new SshHost(await connect(resolved, options))
  }

  /** The same connection, with every operation run as root (sudo when the user is not root). */
  asRoot(): SshHost {
    return new SshHost(this.connection, {asRoot: true, ownsConnection: false, privilege: this.privilege})
  }

  /** Another handle on the same connection whose close() leaves the connection open. */
  view(): SshHost {
    return new SshHost(this.connection, {asRoot: this.options.asRoot, ownsConnection: false, privilege: this.privilege})
  }

  /**
   * Asks the host now how this connection gets root (whether sudo needs a password), without
   * prompting, so that the first root command later does not wait for that round trip: a run
   * that will need root calls this as soon as it is connected.
   */
  probeRoot(): void {
    this.privilege.probe()
  }

  get isRoot(): boolean {
    return this.options.asRoot === true
  }

  async run(script: string, options: SshRunOptions = {}): Promise<SshRunResult> {
    const raw = await this.runRaw(script, options)
    return {
      code: raw.code,
      stdout: raw.stdout.toString('utf8'),
      stderr: raw.stderr.toString('utf8'),
      ...(raw.signal ? {signal: raw.signal} : {}),
      ...(raw.timedOut ? {timedOut: true} : {}),
    }
  }

  /** Runs a script as root; fails with a PRIVILEGE error when root cannot be had. */
  runAsRoot(script: string, options: Omit<SshRunOptions, 'asRoot'> = {}): Promise<SshRunResult> {
    return this.run(script, {...options, asRoot: true})
  }

  /** @internal Runs a script and keeps the output as bytes. */
  async runRaw(script: string, options: SshRunOptions): Promise<RawResult> {
    const asRoot = options.asRoot ?? this.options.asRoot ?? false
    const privilege = asRoot ? await this.privilege.get() : undefined
    const data = options.stdin === undefined ? undefined : Buffer.from(options.stdin)
    let command: string
    let input: Buffer
    // sudo runs sh itself; otherwise sh replaces the login shell.
    const exec = privilege?.mode === undefined || privilege.mode === 'root'
    const inline = data === undefined && privilege?.mode !== 'sudo-password' ? loginShellCommand(script, {exec}) : undefined
    if (inline !== undefined && inline.length <= INLINE_LIMIT) {
      // Short scripts travel in the command itself: one process fewer than reading stdin, which
      // is most of the cost of a command on an open connection.
      command = inline
      input = Buffer.alloc(0)
    } else if (data === undefined && privilege?.mode !== 'sudo-password') {
      command = loginShellCommand(READ_SCRIPT, {exec})
      input = Buffer.from(script)
    } else {
      const body = Buffer.from(script)
      command = loginShellCommand(READ_FRAMED, {exec})
      input = Buffer.concat([Buffer.from(`${body.length}\n`), body, data ?? Buffer.alloc(0)])
    }
    if (privilege?.mode === 'sudo') command = `sudo -n -- ${command}`
    if (privilege?.mode === 'sudo-password') {
      // The password goes on stdin (never argv); sudo reads exactly one line of it. -k: sudo asks for it
      // every time, even where an earlier command on this connection left a cached credential (sudoers
      // with timestamp_type=global or ppid): unasked, it would leave the line for the script to read.
      command = `sudo -k -S -p '' -- ${command}`
      input = Buffer.concat([Buffer.from(`${privilege.password}\n`), input])
    }
    const channel = await this.connection.exec(command)
    return this.collect(channel, input, options)
  }

  private collect(channel: ExecChannel, input: Buffer, options: SshRunOptions): Promise<RawResult> {
    return new Promise((resolve, reject) => {
      const out: Buffer[] = []
      const err: Buffer[] = []
      let code: number | null | undefined
      let signal: string | undefined
      let timedOut = false
      let timer: NodeJS.Timeout | undefined
      channel.on('data', (chunk: Buffer) => (options.onStdout ? options.onStdout(chunk) : out.push(chunk)))
      channel.stderr.on('data', (chunk: Buffer) => (options.onStderr ? options.onStderr(chunk) : err.push(chunk)))
      channel.on('error', () => {}) // reported through close and the connection state
      void channel.whenClosed.then(() => {
        if (timer) clearTimeout(timer)
        code = channel.exitStatus.code
        signal = channel.exitStatus.signal
        if (code === undefined && !timedOut && !this.connection.isOpen) {
          reject(new ConnectionError(`Connection to ${this.name} was lost while a command ran`))
          return
        }
        if (timedOut) {
          const seconds = Number(((options.timeoutMs ?? 0) / 1000).toFixed(1))
          err.push(Buffer.from(`tk: command timed out after ${seconds} s on ${this.name}\n`))
        }
        resolve({
          code: timedOut ? 124 : exitCodeOf(code, signal),
          stdout: Buffer.concat(out),
          stderr: Buffer.concat(err),
          ...(signal ? {signal} : {}),
          ...(timedOut ? {timedOut} : {}),
        })
      })
      if (options.timeoutMs !== undefined && options.timeoutMs > 0) {
        timer = setTimeout(() => {
          timedOut = true
          try {
            channel.signal('TERM')
          } catch {
            // older servers refuse signals; closing the channel is enough to give up on it
          }
          channel.close()
        }, options.timeoutMs)
      }
      channel.end(input)
    })
  }

  async readFile(path: string): Promise<Buffer | undefined> {
    const result = await this.runRaw(await boundScript('file-read.sh', [path]), {})
    if (result.code === MISSING) return undefined
    if (result.code !== 0) throw this.fileError('read', path, result)
    return result.stdout
  }

  async stat(path: string): Promise<PathStat | undefined> {
    const result = await this.runRaw(await boundScript('file-stat.sh', [path]), {})
    if (result.code === MISSING) return undefined
    const match = /^([0-9a-f]+) (\d+)\s*$/.exec(result.stdout.toString('utf8'))
    if (result.code !== 0 || !match) throw this.fileError('stat', path, result)
    const fullMode = Number.parseInt(match[1], 16)
    return {type: typeOfMode(fullMode), size: Number(match[2]), mode: fullMode}
  }

  async hasCommand(name: string): Promise<boolean> {
    if (!/^[A-Za-z0-9._+-]+$/.test(name)) return false
    // Like the local host: root's sbin directories count too.
    const result = await this.runRaw(await boundScript('has-command.sh', [name]), {})
    return result.code === 0
  }

  /** An HTTP GET to a unix socket on the host, as the login user whatever this view runs as. */
  getFromUnixSocket(socketPath: string, path: string): Promise<UnixHttpResponse | undefined> {
    return getOverUnixSocket(this.connection, socketPath, path)
  }

  /** An HTTP request (a JSON body, any method) to a unix socket on the host, as the login user: the body never reaches a command line or a file there. */
  requestUnixSocket(socketPath: string, request: UnixHttpRequest): Promise<UnixHttpResponse | undefined> {
    return requestOverUnixSocket(this.connection, socketPath, request)
  }

  /** A login shell on a pty, or with `pty` false on plain pipes (for `tk ssh`). */
  shell(pty: {term?: string; rows: number; cols: number} | false, env?: Record<string, string>): Promise<ShellSession> {
    return this.connection.shell(pty, env)
  }

  /** A TCP connection made by the remote host to host:port (for tunnels). */
  forwardOut(host: string, port: number): Promise<ClientChannel> {
    return this.connection.forwardOut(host, port)
  }

  /** A remote forward on the host's loopback: connections made there reach `onChannel` (see SshConnection.forwardIn). */
  forwardIn(onChannel: (channel: ClientChannel) => void): Promise<RemoteForward> {
    return this.connection.forwardIn(onChannel)
  }

  async close(): Promise<void> {
    if (this.options.ownsConnection === false) return
    await this.connection.close()
  }

  private fileError(verb: string, path: string, result: RawResult): UserError {
    const detail = result.stderr.toString('utf8').trim().split('\n').pop() || `exit code ${result.code}`
    const message = `Cannot ${verb} ${path} on ${this.name}: ${detail}`
    return /sudo/i.test(detail) ? new PrivilegeError(message) : new HostStateError(message)
  }
}
