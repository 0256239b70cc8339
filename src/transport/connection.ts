/**
 * One authenticated SSH connection (ssh2 Client), possibly reached through
 * ProxyJump hosts: host-key verification before auth, the auth order
 * (agent, key files, password), a connect timeout, keepalive, and every
 * failure mapped to one line with its exit code. No secret (password,
 * passphrase, key bytes) is ever put in a message.
 */
import {readFile} from 'node:fs/promises'
import {connect as tcpConnect, type Socket} from 'node:net'
import {homedir} from 'node:os'
import type {Duplex} from 'node:stream'

import type {AnyAuthMethod, AuthHandlerMiddleware, BaseAgent, ClientChannel, ConnectConfig, IdentityCallback, ParsedKey, PseudoTtyOptions} from 'ssh2'

import {AuthenticationError, ConfigurationError, ConnectionError, HostKeyError, UserError} from '../errors/index.js'
import {ChannelLimiter} from './channel-limiter.js'
import {
  checkHostKey,
  DEFAULT_HOST_KEY_POLICY,
  HOST_KEY_POLICIES,
  type HostKeyOutcome,
  type HostKeyPolicy,
  KnownHosts,
} from './known-hosts.js'
import {formatTarget, type ResolveOptions, type ResolvedTarget} from './target.js'

type Ssh2 = typeof import('ssh2')
type SshClient = import('ssh2').Client

let ssh2Module: Promise<Ssh2> | undefined
/**
 * ssh2, loaded by the first connection rather than at start-up: it is a
 * tenth of a command's start, and the first TCP connect (the server's sshd
 * starting up) runs while it loads.
 */
function loadSsh2(): Promise<Ssh2> {
  ssh2Module ??= import('ssh2').then((module) => (module as unknown as {default: Ssh2}).default)
  return ssh2Module
}

export interface PromptRequest {
  kind: 'password' | 'passphrase' | 'sudo-password'
  /** What to show the user, e.g. "Password for deploy@web:". Never contains a secret. */
  message: string
}

/** Asks the user for a secret (the caller hides the echo); undefined means "no answer". */
export type SecretPrompt = (request: PromptRequest) => Promise<string | undefined>

export interface TransportOptions extends ResolveOptions {
  /** Unknown host keys: strict, accept-new or off. Default: $TK_HOST_KEY_POLICY, else the SSH config's StrictHostKeyChecking, else accept-new. */
  hostKeyPolicy?: HostKeyPolicy
  /** The user's known_hosts (read, and written by accept-new). Default: $TK_KNOWN_HOSTS, else the SSH config's UserKnownHostsFile (~/.ssh/known_hosts ~/.ssh/known_hosts2). */
  knownHostsFile?: string
  /** System-wide known_hosts files, read only. Default: the SSH config's GlobalKnownHostsFile (/etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2). */
  globalKnownHostsFiles?: string[]
  /** Connect timeout per hop in ms (TCP, SSH handshake and auth, not time spent in prompts). Default: $TK_CONNECT_TIMEOUT seconds, else 10 s. */
  connectTimeoutMs?: number
  /** SSH keepalive interval in ms. Default 10000. */
  keepaliveIntervalMs?: number
  /** Session channels open at once per connection. Default 8 (sshd's MaxSessions is 10). */
  maxChannels?: number
  /** ssh-agent socket, or false for none. Default: $SSH_AUTH_SOCK. */
  agentSocket?: string | false
  /** Asks for a password, passphrase or sudo password when the environment gives none. */
  prompt?: SecretPrompt
  /** Receives warnings and notices (the transport never prints). */
  onWarning?: (message: string) => void
}

/** TransportOptions with every default applied. */
export interface TransportSettings {
  env: NodeJS.ProcessEnv
  home: string
  /** The host-key settings the caller gave; the SSH config fills in the rest per host (hostKeysFor). */
  hostKeyPolicy?: HostKeyPolicy
  knownHostsFile?: string
  globalKnownHostsFiles?: string[]
  connectTimeoutMs: number
  keepaliveIntervalMs: number
  maxChannels: number
  agentSocket: string | undefined
  prompt?: SecretPrompt
  onWarning: (message: string) => void
}

export function transportSettings(options: TransportOptions = {}): TransportSettings {
  const env = options.env ?? process.env
  const home = options.homeDir ?? homedir()
  const policy = options.hostKeyPolicy ?? ((env.TK_HOST_KEY_POLICY || undefined) as HostKeyPolicy | undefined)
  if (policy !== undefined && !HOST_KEY_POLICIES.includes(policy)) {
    throw new ConfigurationError(`Unknown host key policy "${policy}"`, {hint: `Use one of: ${HOST_KEY_POLICIES.join(', ')}`})
  }
  let connectTimeoutMs = options.connectTimeoutMs
  if (connectTimeoutMs === undefined && env.TK_CONNECT_TIMEOUT) {
    const seconds = Number(env.TK_CONNECT_TIMEOUT)
    if (!Number.isFinite(seconds) || seconds <= 0) {
      throw new ConfigurationError(`TK_CONNECT_TIMEOUT="${env.TK_CONNECT_TIMEOUT}" is not a positive number of seconds`)
    }
    connectTimeoutMs = seconds * 1000
  }
  return {
    env,
    home,
    hostKeyPolicy: policy,
    knownHostsFile: options.knownHostsFile ?? (env.TK_KNOWN_HOSTS || undefined),
    globalKnownHostsFiles: options.globalKnownHostsFiles,
    connectTimeoutMs: connectTimeoutMs ?? 10_000,
    keepaliveIntervalMs: options.keepaliveIntervalMs ?? 10_000,
    maxChannels: options.maxChannels ?? 8,
    agentSocket: options.agentSocket === false ? undefined : options.agentSocket ?? (env.SSH_AUTH_SOCK || undefined),
    prompt: options.prompt,
    onWarning: options.onWarning ?? (() => {}),
  }
}

/** How one hop's host key is checked: what the caller said wins, as ssh's -o options win over its config file. */
export interface HopHostKeys {
  policy: HostKeyPolicy
  /** Read in order; accept-new records in the first (none: nothing is recorded). */
  userFiles: string[]
  globalFiles: string[]
}

export function hostKeysFor(hop: ResolvedTarget, settings: TransportSettings): HopHostKeys {
  return {
    policy: settings.hostKeyPolicy ?? hop.hostKeys.policy ?? DEFAULT_HOST_KEY_POLICY,
    userFiles: settings.knownHostsFile === undefined ? hop.hostKeys.userFiles : [settings.knownHostsFile],
    globalFiles: settings.globalKnownHostsFiles ?? hop.hostKeys.globalFiles,
  }
}

function tildify(path: string, home: string): string {
  return home && path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`
}

/** Server host key algorithms ssh2 offers for key types recorded in known_hosts. */
function hostKeyAlgorithmsFor(types: string[]): string[] | undefined {
  const algorithms: string[] = []
  for (const type of types) {
    if (type === 'ssh-rsa') algorithms.push('rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa')
    else if (['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'ssh-dss'].includes(type)) algorithms.push(type)
  }
  return algorithms.length > 0 ? algorithms : undefined
}

/** Picks the next credential to offer, in tk's order, and remembers what was tried (names only). */
class Authenticator {
  readonly tried: string[] = []
  serverMethods: string[] = []
  private started = false
  private agentDone = false
  private keyIndex = 0
  private password: string | undefined
  private passwordAsked = false
  private passwordDone = false
  private keyboardDone = false
  private passphrase: string | undefined
  private passphraseAsked = false

  constructor(
    private readonly target: ResolvedTarget,
    private readonly settings: TransportSettings,
    private readonly whilePrompting: <T>(fn: () => Promise<T>) => Promise<T>,
  ) {}

  readonly handler: AuthHandlerMiddleware = (methodsLeft, _partial, next) => {
    this.next(methodsLeft).then(
      (method) => next((method ?? false) as AnyAuthMethod),
      () => next(false as unknown as AnyAuthMethod),
    )
  }

  agentUnavailable(): void {
    const last = this.tried.lastIndexOf('ssh-agent')
    if (last !== -1) this.tried[last] = 'ssh-agent (unavailable)'
  }

  private async next(methodsLeft: string[] | null): Promise<AnyAuthMethod | undefined> {
    const username = this.target.user
    if (!this.started) {
      this.started = true
      // "none" asks the server which methods it accepts, so tk never prompts for a password it cannot use.
      return {type: 'none', username}
    }
    if (methodsLeft) this.serverMethods = methodsLeft
    const allows = (method: string) => methodsLeft === null || methodsLeft.includes(method)
    if (allows('publickey')) {
      if (!this.agentDone) {
        this.agentDone = true
        if (this.settings.agentSocket && !this.target.identitiesOnly) {
          this.tried.push('ssh-agent')
          return {type: 'agent', username, agent: this.settings.agentSocket}
        }
        if (this.settings.agentSocket) {
          // IdentitiesOnly, as OpenSSH reads it: the agent still signs for the identity files' own
          // keys (a key whose passphrase only the agent holds), and offers nothing else.
          const agent = await this.identitiesOnlyAgent(this.settings.agentSocket)
          if (agent) {
            this.tried.push('ssh-agent (the identity files\' keys only)')
            return {type: 'agent', username, agent}
          }
        }
      }
      while (this.keyIndex < this.target.identityFiles.length) {
        const file = this.target.identityFiles[this.keyIndex++]
        const key = await this.loadKey(file)
        if (key) {
          this.tried.push(`key ${tildify(file, this.settings.home)}`)
          return {type: 'publickey', username, key}
        }
      }
    }
    if (allows('password') && !this.passwordDone) {
      this.passwordDone = true
      const password = await this.getPassword()
      if (password !== undefined) {
        this.tried.push('password')
        return {type: 'password', username, password}
      }
    }
    if (allows('keyboard-interactive') && !this.keyboardDone) {
      this.keyboardDone = true
      const password = await this.getPassword()
      if (password !== undefined) {
        this.tried.push('keyboard-interactive')
        return {
          type: 'keyboard-interactive',
          username,
          // Answers password-like prompts with the password and nothing else.
          prompt: (_name, _instructions, _lang, prompts, finish) => finish(prompts.map((p) => (/pass(word|code)/i.test(p.prompt) ? password : ''))),
        }
      }
    }
    return undefined
  }

  /**
   * The agent at `socket`, offering only the keys of the identity files (their .pub
   * files, or the key itself when it is not encrypted); undefined when none is known.
   */
  private async identitiesOnlyAgent(socket: string): Promise<BaseAgent | undefined> {
    const ssh2 = await loadSsh2()
    const wanted: Buffer[] = []
    for (const file of this.target.identityFiles) {
      for (const [path, isPublic] of [[`${file}.pub`, true], [file, false]] as const) {
        let data: Buffer
        try {
          data = await readFile(path)
        } catch {
          continue
        }
        const parsed = ssh2.utils.parseKey(data)
        const key = Array.isArray(parsed) ? parsed[0] : parsed
        if (key instanceof Error || !key || (!isPublic && !key.isPrivateKey())) continue
        wanted.push(key.getPublicSSH())
        break
      }
    }
    if (wanted.length === 0) return undefined
    const inner = new ssh2.OpenSSHAgent(socket)
    class IdentitiesOnlyAgent extends ssh2.BaseAgent<ParsedKey> {
      getIdentities(callback: IdentityCallback<ParsedKey>): void {
        inner.getIdentities((error, keys) => {
          if (error) return callback(error)
          const parsed = (keys ?? []).filter((key): key is ParsedKey => typeof (key as Partial<ParsedKey>).getPublicSSH === 'function')
          callback(undefined, parsed.filter((key) => wanted.some((publicKey) => publicKey.equals(key.getPublicSSH()))))
        })
      }

      sign(key: ParsedKey, data: Buffer, ...rest: unknown[]): void {
        ;(inner.sign as (...args: unknown[]) => boolean)(key, data, ...rest)
      }
    }
    return new IdentitiesOnlyAgent()
  }

  private async getPassword(): Promise<string | undefined> {
    if (this.passwordAsked) return this.password
    this.passwordAsked = true
    this.password = this.settings.env.TK_SSH_PASSWORD || undefined
    if (this.password === undefined && this.settings.prompt) {
      const prompt = this.settings.prompt
      this.password = await this.whilePrompting(() => prompt({kind: 'password', message: `Password for ${formatTarget(this.target)}: `}))
    }
    return this.password
  }

  private async loadKey(file: string): Promise<ParsedKey | undefined> {
    const shown = tildify(file, this.settings.home)
    let data: Buffer
    try {
      data = await readFile(file)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT' || code === 'EISDIR') {
        if (this.target.identityFilesExplicit) this.settings.onWarning(`Identity file ${shown} not found; skipping it`)
        return undefined
      }
      this.settings.onWarning(`Cannot read identity file ${shown}: ${code ?? (error as Error).message}; skipping it`)
      return undefined
    }
    const {utils} = await loadSsh2()
    let parsed = utils.parseKey(data)
    if (parsed instanceof Error && /encrypted|passphrase/i.test(parsed.message)) {
      const passphrase = await this.getPassphrase(shown)
      if (passphrase === undefined) {
        this.settings.onWarning(`Identity file ${shown} is encrypted and no passphrase was given (TK_SSH_PASSPHRASE); skipping it`)
        return undefined
      }
      parsed = utils.parseKey(data, passphrase)
      if (parsed instanceof Error) {
        this.settings.onWarning(`The passphrase does not decrypt identity file ${shown}; skipping it`)
        return undefined
      }
    }
    if (parsed instanceof Error) {
      this.settings.onWarning(`Identity file ${shown} is not a private key tk can use (${parsed.message}); skipping it`)
      return undefined
    }
    const key = Array.isArray(parsed) ? (parsed[0] as ParsedKey) : parsed
    if (!key.isPrivateKey()) {
      this.settings.onWarning(`Identity file ${shown} holds no private key; skipping it`)
      return undefined
    }
    return key
  }

  private async getPassphrase(shown: string): Promise<string | undefined> {
    const fromEnv = this.settings.env.TK_SSH_PASSPHRASE
    if (fromEnv) return fromEnv
    if (this.passphraseAsked && this.passphrase !== undefined) return this.passphrase
    if (!this.settings.prompt) return undefined
    this.passphraseAsked = true
    const prompt = this.settings.prompt
    this.passphrase = await this.whilePrompting(() => prompt({kind: 'passphrase', message: `Passphrase for ${shown}: `}))
    return this.passphrase
  }
}

type ErrorWithLevel = Error & {level?: string; code?: string}

function connectionError(message: string, cause?: unknown, hint?: string): UserError {
  return new ConnectionError(message, {cause, hint})
}

/**
 * A login the server closed before its SSH banner or during the key exchange:
 * what sshd does to logins beyond its MaxStartups (it writes "Exceeded
 * MaxStartups" and closes). connect() tries such a start again.
 */
export class DroppedStart extends ConnectionError {}

/** Maps a failure before `ready` to one line with its exit code. */
function mapConnectError(error: ErrorWithLevel, target: ResolvedTarget, auth: Authenticator, via?: ResolvedTarget): UserError {
  const name = formatTarget(target)
  const through = via ? ` (through ${formatTarget(via)})` : ''
  switch (error.code) {
    case 'ECONNREFUSED':
      return connectionError(`Connection to ${name}${through} refused: nothing listens on port ${target.port}`, error)
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
      return connectionError(`Cannot resolve host name "${target.hostname}"${error.code === 'EAI_AGAIN' ? ' (DNS did not answer)' : ''}`, error)
    case 'ETIMEDOUT':
      return connectionError(`Connection to ${name}${through} timed out`, error)
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return connectionError(`Cannot reach ${name}${through}: ${error.code === 'EHOSTUNREACH' ? 'no route to host' : 'network unreachable'}`, error)
    case 'ECONNRESET':
    case 'EPIPE':
      return new DroppedStart(`Connection to ${name}${through} was reset during the SSH handshake`, {cause: error})
  }
  if (error.level === 'client-authentication') {
    const tried = auth.tried.length > 0 ? auth.tried.join(', ') : 'nothing (no agent, no key file found, no password given)'
    const accepts = auth.serverMethods.length > 0 ? `; the server accepts ${auth.serverMethods.join(', ')}` : ''
    return new AuthenticationError(`Authentication as ${target.user} on ${name} failed: tried ${tried}${accepts}`, {
      hint: 'Load a key into ssh-agent, pass an identity file, or set TK_SSH_PASSWORD / TK_SSH_PASSPHRASE',
    })
  }
  if (/no matching host key format/i.test(error.message)) {
    return new HostKeyError(`${name} offers none of the host key types recorded for it in known_hosts: its host key changed; refusing to connect`)
  }
  if (/Connection lost before handshake/i.test(error.message)) {
    return new DroppedStart(`${name}${through} closed the connection before the SSH handshake (is it an SSH server?)`, {cause: error})
  }
  return connectionError(`SSH connection to ${name}${through} failed: ${error.message}`, error)
}

/**
 * Opens a direct-tcpip channel through an established connection, for the
 * next hop, within the connect timeout: the jump host's own TCP connect to a
 * host that never answers would take its kernel's SYN timeout (minutes).
 */
function forwardThrough(client: SshClient, from: ResolvedTarget, to: ResolvedTarget, timeoutMs: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    let done = false
    const timer = setTimeout(() => {
      done = true
      reject(connectionError(`Connection to ${to.hostname}:${to.port} through jump host ${formatTarget(from)} timed out after ${seconds(timeoutMs)} (tcp)`))
    }, timeoutMs)
    client.forwardOut('127.0.0.1', 0, to.hostname, to.port, (error, channel) => {
      clearTimeout(timer)
      if (done) {
        channel?.destroy()
        return
      }
      done = true
      if (error) {
        reject(connectionError(`Jump host ${formatTarget(from)} could not open a connection to ${to.hostname}:${to.port}: ${error.message}`, error))
      } else resolve(channel)
    })
  })
}

/**
 * A TCP connection to a hop, opened before ssh2 is loaded (see loadSsh2),
 * with its first error kept until ssh2 listens for it. TCP_NODELAY: without
 * it, Nagle's algorithm and delayed ACKs add ~40 ms to every request/reply
 * on a channel (measured: 54 ms versus 13 ms per command on loopback).
 */
interface EarlySocket {
  socket: Socket
  error?: NodeJS.ErrnoException
}

function openSocket(target: ResolvedTarget): EarlySocket {
  const early: EarlySocket = {socket: tcpConnect({host: target.hostname, port: target.port})}
  early.socket.setNoDelay(true)
  early.socket.once('error', (error) => (early.error ??= error))
  return early
}

/** Connects and authenticates one hop; resolves once ssh2 reports `ready`. */
function openClient(
  ssh2: Ssh2,
  target: ResolvedTarget,
  sock: Duplex | EarlySocket,
  settings: TransportSettings,
  knownHosts: KnownHosts,
  via?: ResolvedTarget,
): Promise<SshClient> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client()
    const name = formatTarget(target)
    let settled = false
    const early = 'socket' in sock ? sock : undefined
    let stage: 'tcp' | 'handshake' | 'auth' = early?.socket.connecting ? 'tcp' : 'handshake'
    let hostKey: HostKeyOutcome | undefined
    let timer: NodeJS.Timeout | undefined
    let remaining = settings.connectTimeoutMs
    let startedAt = Date.now()

    const fail = (error: UserError) => {
      if (settled) return
      settled = true
      if (timer) clearTimeout(timer)
      client.removeAllListeners('ready')
      client.on('error', () => {}) // late errors from a connection being torn down
      client.destroy()
      reject(error)
    }
    const onTimeout = () => {
      const where = {tcp: 'no TCP connection', handshake: 'connected, but no SSH handshake', auth: 'during authentication'}[stage]
      fail(connectionError(`Connection to ${name}${via ? ` (through ${formatTarget(via)})` : ''} timed out after ${seconds(settings.connectTimeoutMs)} (${where})`))
    }
    const startTimer = () => {
      startedAt = Date.now()
      timer = setTimeout(onTimeout, remaining)
    }
    // Time spent waiting for the user at a prompt does not count against the connect timeout.
    const whilePrompting = async <T>(fn: () => Promise<T>): Promise<T> => {
      if (timer) clearTimeout(timer)
      remaining -= Date.now() - startedAt
      try {
        return await fn()
      } finally {
        if (!settled) startTimer()
      }
    }
    const auth = new Authenticator(target, settings, whilePrompting)

    client.on('connect', () => {
      stage = 'handshake'
    })
    client.on('ready', () => {
      if (settled) return
      settled = true
      if (timer) clearTimeout(timer)
      resolve(client)
    })
    client.on('error', (error: ErrorWithLevel) => {
      if (settled) return
      if (error.level === 'agent') {
        // A stale SSH_AUTH_SOCK: ssh2 moves on to the next method by itself.
        auth.agentUnavailable()
        return
      }
      if (hostKey && !hostKey.accepted && hostKey.error) return fail(hostKey.error)
      fail(mapConnectError(error, target, auth, via))
    })
    client.on('close', () => {
      if (hostKey && !hostKey.accepted && hostKey.error) return fail(hostKey.error)
      // Closed before the host key was shown: a dropped start, tried again; later, a real refusal.
      fail(stage === 'auth' ? connectionError(`Connection to ${name} closed during the SSH handshake`) : new DroppedStart(`Connection to ${name} closed during the SSH handshake`))
    })

    const hostVerifier = (key: Buffer, verify: (valid: boolean) => void) => {
      stage = 'auth'
      const files = hostKeysFor(target, settings)
      checkHostKey(name, target.hostKeyName, target.hostKeyPort, key, knownHosts, {
        policy: files.policy,
        userFile: files.userFiles[0],
        globalFiles: files.globalFiles,
        onWarning: settings.onWarning,
      }).then(
        (outcome) => {
          hostKey = outcome
          verify(outcome.accepted)
          // ssh2 reports a refused key as a generic handshake error; report ours now.
          if (!outcome.accepted && outcome.error) fail(outcome.error)
        },
        (error: unknown) => {
          hostKey = {accepted: false, error: new HostKeyError(`Host key check for ${name} failed: ${(error as Error).message}`)}
          verify(false)
          fail(hostKey.error!)
        },
      )
    }

    const serverHostKey = hostKeyAlgorithmsFor(knownHosts.knownKeyTypes(target.hostKeyName, target.hostKeyPort))
    const config: ConnectConfig = {
      host: target.hostname,
      port: target.port,
      username: target.user,
      // tk's own timer covers the whole connect and pauses during prompts; ssh2's would not.
      readyTimeout: 0,
      keepaliveInterval: settings.keepaliveIntervalMs,
      keepaliveCountMax: 3,
      hostVerifier: hostVerifier as ConnectConfig['hostVerifier'],
      authHandler: auth.handler,
      sock: early ? early.socket : (sock as Duplex),
      ...(serverHostKey ? {algorithms: {serverHostKey: serverHostKey as NonNullable<ConnectConfig['algorithms']>['serverHostKey']}} : {}),
    }
    // The TCP connection failed while ssh2 was loading, before ssh2 listened for it.
    if (early?.error) return fail(mapConnectError(early.error, target, auth, via))
    startTimer()
    try {
      client.connect(config)
    } catch (error) {
      fail(connectionError(`Cannot connect to ${name}: ${(error as Error).message}`, error))
    }
  })
}

interface JumpEntry {
  client: Promise<SshClient>
  users: number
}

/**
 * Connections to jump hosts, shared by every connection this process makes
 * through them: one login on a bastion for a whole fleet rather than one per
 * host — sshd drops logins that arrive together beyond MaxStartups (10 by
 * default), and each would repeat the key exchange. Keyed by the chain of
 * hops that reaches the jump host; the last connection through it closes it.
 */
const jumpPool = new Map<string, JumpEntry>()

/** What tells one jump connection from another: the hop, who logs in, with what, checked against what. */
function hopKey(hop: ResolvedTarget, settings: TransportSettings): string {
  return JSON.stringify([hop.user, hop.hostname, hop.port, hop.identityFiles, hop.identitiesOnly, hop.hostKeyName, hostKeysFor(hop, settings)])
}

/** The pool's connection for `key`, opened by `open` when there is none (opened: true); release() when done with it. */
function acquireJump(key: string, open: () => Promise<SshClient>): {client: Promise<SshClient>; opened: boolean; release: () => void} {
  let entry = jumpPool.get(key)
  const opened = !entry
  if (!entry) {
    const created: JumpEntry = {client: open(), users: 0}
    const forget = () => {
      if (jumpPool.get(key) === created) jumpPool.delete(key)
    }
    // A jump connection that fails or closes is opened anew by the next connection through it.
    created.client.then((client) => client.once('close', forget), forget)
    jumpPool.set(key, created)
    entry = created
  }
  entry.users++
  const held = entry
  let released = false
  return {
    client: held.client,
    opened,
    release: () => {
      if (released) return
      released = true
      held.users--
      if (held.users > 0) return
      if (jumpPool.get(key) === held) jumpPool.delete(key)
      held.client.then(
        (client) => client.end(),
        () => {},
      )
    },
  }
}

/**
 * Logins in flight (TCP connect to `ready`): at most MAX_LOGINS_IN_FLIGHT in
 * this process, and MAX_LOGINS_PER_JUMP through any one jump host (the hosts
 * behind a bastion are often reached through one narrow path). The rest wait
 * their turn; a fleet command's own concurrency bounds them further.
 */
export const MAX_LOGINS_IN_FLIGHT = 32
export const MAX_LOGINS_PER_JUMP = 10
const LOGINS = new ChannelLimiter(MAX_LOGINS_IN_FLIGHT)
const jumpGates = new Map<string, ChannelLimiter>()
function jumpGate(key: string): ChannelLimiter {
  let gate = jumpGates.get(key)
  if (!gate) jumpGates.set(key, (gate = new ChannelLimiter(MAX_LOGINS_PER_JUMP)))
  return gate
}

/** Tries of a login the server dropped before its banner (MaxStartups), in all; the waits between them double from ~0.2 s, with jitter. */
export const START_TRIES = 6

/**
 * Opens a login, again when the server drops it before its SSH banner (sshd
 * does so past MaxStartups: 10 unauthenticated logins at once by default),
 * after a wait that doubles each time and is jittered so that logins dropped
 * together do not come back together. Said only when the last try fails too.
 */
export async function retryDroppedStarts<T>(name: string, open: () => Promise<T>, tries = START_TRIES): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      // eslint-disable-next-line no-await-in-loop -- one try at a time
      return await open()
    } catch (error) {
      if (!(error instanceof DroppedStart)) throw error
      if (attempt >= tries) {
        throw new ConnectionError(`${error.message}; dropped ${tries} times in a row`, {
          cause: error,
          hint: `${name} closes logins before its SSH banner: its sshd may be past MaxStartups (other logins at the same time), or not an SSH server`,
        })
      }
      const base = Math.min(3200, 200 * 2 ** (attempt - 1))
      // eslint-disable-next-line no-await-in-loop
      await new Promise((resolve) => setTimeout(resolve, base / 2 + Math.random() * base))
    }
  }
}

/** Connects to a resolved target, through its jump hosts if any (shared with other connections through them). */
export async function connect(target: ResolvedTarget, options: TransportOptions = {}): Promise<SshConnection> {
  const settings = transportSettings(options)
  for (const warning of target.warnings) settings.onWarning(warning)
  const hops = [...target.proxyJump, target]
  const keys: string[] = []
  for (const [index, hop] of target.proxyJump.entries()) keys.push(`${index === 0 ? '' : `${keys[index - 1]} > `}${hopKey(hop, settings)}`)
  // The first hop's TCP connect starts now, unless its connection is already open (or opening):
  // the server starts its sshd while tk loads ssh2 and known_hosts.
  let first: EarlySocket | undefined = keys.length > 0 && jumpPool.has(keys[0]) ? undefined : openSocket(hops[0])
  // Each hop's known_hosts files, read once per distinct set.
  const knownHostsOf = new Map<string, Promise<KnownHosts>>()
  const loadKnownHosts = (hop: ResolvedTarget) => {
    const {userFiles, globalFiles} = hostKeysFor(hop, settings)
    const key = JSON.stringify([userFiles, globalFiles])
    let pending = knownHostsOf.get(key)
    if (!pending) knownHostsOf.set(key, (pending = KnownHosts.load([...userFiles, ...globalFiles])))
    return pending
  }
  const loaded = Promise.all([loadSsh2(), ...hops.map((hop) => loadKnownHosts(hop))])
  const releases: Array<() => void> = []
  const releaseJumps = () => {
    for (const release of releases.splice(0).reverse()) release()
  }
  try {
    let via: SshClient | undefined
    let previous: ResolvedTarget | undefined
    for (const [index, hop] of hops.entries()) {
      const [through, from] = [via, previous]
      const gates = [LOGINS, ...(index > 0 ? [jumpGate(keys[index - 1])] : [])]
      const open = async () => {
        const [ssh2] = await loaded
        const knownHosts = await loadKnownHosts(hop)
        // A login waits for a slot: its early connection would sit in the server's MaxStartups meanwhile.
        if (first && gates.some((gate) => gate.inUse >= gate.max)) {
          first.socket.destroy()
          first = undefined
        }
        const releases = await Promise.all(gates.map((gate) => gate.acquire()))
        try {
          return await retryDroppedStarts(formatTarget(hop), async () => {
            let sock: Duplex | EarlySocket
            if (through && from) {
              sock = await forwardThrough(through, from, hop, settings.connectTimeoutMs)
            } else {
              sock = first ?? openSocket(hop)
              first = undefined
            }
            return openClient(ssh2, hop, sock, settings, knownHosts, from)
          })
        } finally {
          for (const release of releases) release()
        }
      }
      if (index === hops.length - 1) {
        const client = await open()
        return new SshConnection(client, target, releaseJumps, settings)
      }
      // Taken before anything is awaited, so that connections started together share the first jump host's.
      const jump = acquireJump(keys[index], open)
      releases.push(jump.release)
      if (!jump.opened && first) {
        // Another connection opened it meanwhile: this one's early TCP connection is not needed.
        first.socket.destroy()
        first = undefined
      }
      via = await jump.client
      previous = hop
    }
    throw new Error('unreachable: the last hop returns')
  } catch (error) {
    first?.socket.destroy()
    releaseJumps()
    throw error
  }
}

export interface ShellSession {
  /** The shell's data both ways (with a pty, stderr is merged by the pty; without one it is stream.stderr). */
  stream: ClientChannel
  setWindow(rows: number, cols: number): void
  /** The remote exit code (128+n for a signal) once the shell ends. */
  exit: Promise<number>
}

const SIGNALS: Record<string, number> = {HUP: 1, INT: 2, QUIT: 3, ABRT: 6, KILL: 9, USR1: 10, SEGV: 11, USR2: 12, PIPE: 13, ALRM: 14, TERM: 15}

/** How a session's command ended, as far as the server said. */
export interface ChannelExit {
  /** The exit status; null when a signal ended it; undefined when the server said nothing. */
  code?: number | null
  signal?: string
}

/** A session channel whose exit status and close are recorded from its first moment. */
export type ExecChannel = ClientChannel & {
  readonly exitStatus: ChannelExit
  /** Settles when the channel has closed. */
  readonly whenClosed: Promise<void>
}

/**
 * Listens for the channel's exit status and close inside ssh2's callback, in
 * the same tick: when the reply to the exec request arrives in one read with
 * the command's output, exit status and close (a quick command on a loaded
 * machine, or anything through a ProxyJump), ssh2 emits them all before any
 * code awaiting the channel runs, and a listener added after an await misses
 * them (tk then saw exit 255).
 */
function watchExit(channel: ClientChannel, release: () => void): ExecChannel {
  const exitStatus: ChannelExit = {}
  channel.once('exit', (code: number | null, signal?: string) => {
    exitStatus.code = code
    if (signal) exitStatus.signal = signal
  })
  const whenClosed = new Promise<void>((resolve) =>
    channel.once('close', () => {
      release()
      resolve()
    }),
  )
  return Object.assign(channel, {exitStatus, whenClosed})
}

/** Exit code for an exit status or a signal name, as a shell reports it. */
export function exitCodeOf(code: number | null | undefined, signal?: string | null): number {
  if (typeof code === 'number') return code
  if (signal) return 128 + (SIGNALS[signal.replace(/^SIG/, '')] ?? 15)
  return 255
}

/** A remote forward on the server's loopback (SshConnection.forwardIn). */
export interface RemoteForward {
  /** The port the server listens on, on 127.0.0.1. */
  port: number
  close(): Promise<void>
}

/** The server refused a remote forward: its sshd forbids forwarding (AllowTcpForwarding no or local), or a policy does. */
export class RemoteForwardRefused extends ConnectionError {
  constructor(host: string, cause: Error) {
    super(`${host} refuses port forwarding over SSH (sshd's AllowTcpForwarding is no or local): ${cause.message}`, {cause})
  }
}

/** An open, authenticated connection; session channels are limited to maxChannels at once. */
export class SshConnection {
  readonly name: string
  readonly limiter: ChannelLimiter
  private closed = false
  private lost: UserError | undefined

  constructor(
    readonly client: SshClient,
    readonly target: ResolvedTarget,
    /** Lets go of the jump hosts' connections this one went through (shared: the last user closes them). */
    private readonly releaseJumps: () => void,
    readonly settings: TransportSettings,
  ) {
    this.name = formatTarget(target)
    this.limiter = new ChannelLimiter(settings.maxChannels)
    client.on('error', (error: Error) => {
      this.lost ??= connectionError(`Connection to ${this.name} lost: ${error.message}`, error)
    })
    client.on('close', () => {
      this.closed = true
      this.lost ??= connectionError(`Connection to ${this.name} closed`)
      this.releaseJumps()
    })
  }

  get isOpen(): boolean {
    return !this.closed
  }

  private checkOpen(): void {
    if (this.closed) throw this.lost ?? connectionError(`Connection to ${this.name} is closed`)
  }

  private channelError(error: Error, what: string): UserError {
    if (this.closed) return this.lost ?? connectionError(`Connection to ${this.name} closed`)
    return connectionError(`${this.name}: cannot open ${what}: ${error.message}`, error)
  }

  /**
   * Runs a command in a new session channel (waits for a free slot). The slot
   * is released when the channel closes.
   */
  async exec(command: string, options: {pty?: PseudoTtyOptions} = {}): Promise<ExecChannel> {
    this.checkOpen()
    const release = await this.limiter.acquire()
    try {
      this.checkOpen()
      return await new Promise<ExecChannel>((resolve, reject) => {
        this.client.exec(command, options.pty ? {pty: options.pty} : {}, (error, stream) => {
          if (error) return reject(this.channelError(error, 'a session'))
          resolve(watchExit(stream, release))
        })
      })
    } catch (error) {
      release()
      throw error
    }
  }

  /**
   * A login shell, for `tk ssh`: on a pty, or with `pty` false on plain pipes (as OpenSSH does when
   * stdin is not a terminal), where the shell reads commands from stdin and ends at its EOF.
   */
  async shell(pty: {term?: string; rows: number; cols: number} | false = {rows: 24, cols: 80}, env?: Record<string, string>): Promise<ShellSession> {
    this.checkOpen()
    const release = await this.limiter.acquire()
    try {
      const stream = await new Promise<ExecChannel>((resolve, reject) => {
        this.client.shell(
          pty === false ? false : {term: pty.term ?? 'xterm-256color', rows: pty.rows, cols: pty.cols},
          env ? {env} : {},
          (error, channel) => (error ? reject(this.channelError(error, 'a shell')) : resolve(watchExit(channel, release))),
        )
      })
      const exit = stream.whenClosed.then(() => exitCodeOf(stream.exitStatus.code, stream.exitStatus.signal))
      return {stream, exit, setWindow: (rows, cols) => stream.setWindow(rows, cols, 0, 0)}
    } catch (error) {
      release()
      throw error
    }
  }

  /** A TCP connection from the remote host to host:port (not a session: not limited by MaxSessions). */
  forwardOut(host: string, port: number, sourceHost = '127.0.0.1', sourcePort = 0): Promise<ClientChannel> {
    this.checkOpen()
    return new Promise((resolve, reject) => {
      this.client.forwardOut(sourceHost, sourcePort, host, port, (error, channel) =>
        error ? reject(this.channelError(error, `a tunnel to ${host}:${port}`)) : resolve(channel),
      )
    })
  }

  /**
   * A connection from the remote host to a unix socket there (OpenSSH's
   * direct-streamlocal; not a session, so not limited by MaxSessions). The
   * server may refuse it (AllowStreamLocalForwarding no) or fail to connect
   * (no socket, no permission): the error keeps ssh2's `reason`.
   */
  forwardOutStreamLocal(socketPath: string): Promise<ClientChannel> {
    this.checkOpen()
    return new Promise((resolve, reject) => {
      this.client.openssh_forwardOutStreamLocal(socketPath, (error, channel) => {
        if (!error) return resolve(channel)
        const mapped = this.channelError(error, `a tunnel to ${socketPath}`) as UserError & {reason?: unknown}
        mapped.reason = (error as Error & {reason?: unknown}).reason
        reject(mapped)
      })
    })
  }

  /**
   * A remote forward: the server listens on its own loopback (a port it picks)
   * and each connection made there arrives here as a channel, for `onChannel`.
   * Resolves with the port and a function that stops the listening. A server
   * that forbids forwarding (sshd's AllowTcpForwarding no or local) refuses the
   * request: the error is a RemoteForwardRefused.
   */
  async forwardIn(onChannel: (channel: ClientChannel) => void): Promise<RemoteForward> {
    this.checkOpen()
    const port = await new Promise<number>((resolve, reject) => {
      this.client.forwardIn('127.0.0.1', 0, (error, bound) => {
        if (!error) return resolve(bound)
        reject(this.closed ? this.channelError(error, 'a remote forward') : new RemoteForwardRefused(this.name, error))
      })
    })
    const listener = (details: {destIP: string; destPort: number}, accept: () => ClientChannel) => {
      if (details.destPort === port) onChannel(accept())
    }
    this.client.on('tcp connection', listener)
    return {
      port,
      close: () =>
        new Promise<void>((resolve) => {
          this.client.off('tcp connection', listener)
          if (this.closed) return resolve()
          this.client.unforwardIn('127.0.0.1', port, () => resolve())
        }),
    }
  }

  /** Closes the connection and its jump hosts; waits at most 2 s for the close. */
  async close(): Promise<void> {
    if (this.closed) return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.client.destroy()
        resolve()
      }, 2000)
      this.client.once('close', () => {
        clearTimeout(timer)
        resolve()
      })
      this.client.end()
    })
    this.closed = true
    this.releaseJumps()
  }
}
