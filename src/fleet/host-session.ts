/**
 * One host's session for the length of a command: its connections (as the
 * login user, as root through the same connection, and a fresh login when a
 * docker group membership just added must apply), and the one primitive
 * every run that changes a host starts with — take the host's lock and read
 * its facts in the lock's own round trip.
 *
 * A command opens a FleetSessions for its targets, takes each host's session
 * inside the fleet runner and closes them all when it ends. Services never
 * make connections of their own.
 */
import type {RunResult, Host} from '../transport/host.js'
import type {TransportOptions} from '../transport/connection.js'
import type {SshHost} from '../transport/ssh-host.js'
import type {Target} from '../targets/index.js'
import {HostConnector} from './host-connector.js'
import {acquireHostLock, lockHolder, whoAmI} from './host-lock.js'
import {type FleetRunOptions, type HostOutcome, runFleet} from './runner.js'

/** The host as tk reaches it: as the login user, and as root (directly or with sudo). */
export interface HostAccess {
  login: SshHost
  root: Host
}

/** A round trip to run as soon as the lock is held: the facts a run plans from. */
export interface LockedRoundTrip {
  /** POSIX sh, run as the login user with no stdin. */
  script: string
  /** The lock is held and the script starts now (what tk asks the host meanwhile starts here). */
  onLocked?: () => void
}

export interface LockOptions {
  /** A dry run changes nothing, the lock file included: no lock, and the round trip is the caller's to make. */
  dryRun?: boolean
  /** Seconds to wait for another run's lock; 0 fails at once. */
  waitSeconds?: number
  /** The command holding it, for the owner line waiters see ("tk up"). */
  command: string
  onWait?: (holder: string) => void
  roundTrip?: LockedRoundTrip
}

export interface HeldLock {
  /** What the round trip's script printed; undefined for a dry run. */
  roundTrip?: RunResult
  /** With `last`, the lock's holder writes it to /var/lib/tk/up.last first (see acquireHostLock). */
  release(final?: {last?: string}): Promise<void>
}

export class HostSession {
  private access: HostAccess | undefined

  constructor(
    readonly target: Target,
    private readonly connector: HostConnector,
    private readonly reconnector: HostConnector,
    /** Who runs tk (user@machine): the lock's holder, and the state's `by`. */
    readonly by: string,
    private readonly lockConnector: HostConnector,
  ) {}

  get name(): string {
    return this.target.name
  }

  /** The host as the login user and as root, connecting on first use. */
  async open(): Promise<HostAccess> {
    if (!this.access) {
      const login = await this.connector.get(this.target)
      this.access = {login, root: login.asRoot()}
    }
    return this.access
  }

  /**
   * A new login session, for a docker group membership just added to apply;
   * what open() returns from now on. The first connection stays open: it
   * holds the host's lock until the run ends.
   */
  async reconnect(): Promise<HostAccess> {
    const login = await this.reconnector.get(this.target)
    this.access = {login, root: login.asRoot()}
    return this.access
  }

  /**
   * Takes the host's lock (/var/lib/tk/up.lock: one tk run that changes a host
   * at a time) and runs `roundTrip` under it in the same round trip. A dry run
   * takes no lock.
   */
  async lock(options: LockOptions): Promise<HeldLock> {
    if (options.dryRun) return {release: async () => {}}
    const {login, root} = await this.open()
    const lock = await acquireHostLock(this.name, login, root, {
      waitSeconds: options.waitSeconds,
      holder: lockHolder(this.by, options.command),
      onWait: options.onWait,
      whenLocked: options.roundTrip && {script: options.roundTrip.script, onLocked: options.roundTrip.onLocked},
      // Its own connection: a later reconnect (a docker group just joined) must log in anew too.
      relogin: () => this.lockConnector.get(this.target),
    })
    return {roundTrip: lock.whenLocked, release: (final) => lock.release(final)}
  }

  /** Runs `work` holding the host's lock (none for a dry run) and releases it however `work` ends. */
  async withLock<T>(options: LockOptions, work: (roundTrip?: RunResult) => Promise<T>): Promise<T> {
    const held = await this.lock(options)
    try {
      return await work(held.roundTrip)
    } finally {
      await held.release()
    }
  }
}

/** The sessions of one command's hosts, by name; close() ends every connection. */
export class FleetSessions {
  private readonly connector: HostConnector
  private readonly reconnector: HostConnector
  private readonly lockConnector: HostConnector
  private readonly sessions = new Map<string, HostSession>()
  private readonly by = whoAmI()

  constructor(
    targets: readonly Target[],
    transport: TransportOptions,
  ) {
    this.connector = new HostConnector(transport)
    // Reconnections go through their own connections: the first one holds the host's lock.
    this.reconnector = new HostConnector(transport)
    // A user who just joined the tk group takes the lock from a login of its own.
    this.lockConnector = new HostConnector(transport)
    for (const target of targets) this.sessions.set(target.name, new HostSession(target, this.connector, this.reconnector, this.by, this.lockConnector))
  }

  /** The transport options a host is reached with: the command line's over tk.yml's. */
  transportFor(target: Target): TransportOptions {
    return this.connector.optionsFor(target)
  }

  get names(): string[] {
    return [...this.sessions.keys()]
  }

  get(name: string): HostSession {
    const session = this.sessions.get(name)
    if (!session) throw new Error(`no session for ${name}`)
    return session
  }

  async close(): Promise<void> {
    await Promise.all([this.connector.closeAll(), this.reconnector.closeAll(), this.lockConnector.closeAll()])
  }
}

/** Opens the sessions of `targets`, runs `work` with them and closes them however it ends. */
export async function withSessions<T>(targets: readonly Target[], transport: TransportOptions, work: (sessions: FleetSessions) => Promise<T>): Promise<T> {
  const sessions = new FleetSessions(targets, transport)
  try {
    return await work(sessions)
  } finally {
    await sessions.close()
  }
}

/**
 * The usual shape of a command's work on hosts: a session per target, `work`
 * on each through the fleet runner (concurrency, max-fail, progress), every
 * connection closed however the run ends.
 */
export function runOnSessions<T, E = unknown>(
  targets: readonly Target[],
  transport: TransportOptions,
  work: (session: HostSession) => Promise<T>,
  options: FleetRunOptions<T, E> = {},
): Promise<Array<HostOutcome<T, E>>> {
  return withSessions(targets, transport, (sessions) => runFleet(sessions.names, (name) => work(sessions.get(name)), options))
}
