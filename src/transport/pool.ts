/**
 * One connection per host for the life of a command: every caller asking for
 * the same resolved target gets a handle on the same connection, and
 * concurrent first requests share one connection attempt.
 */
import {ConnectionError} from '../errors/index.js'
import {connect, type TransportOptions} from './connection.js'
import {SshHost} from './ssh-host.js'
import {formatTarget, resolveTarget, type ResolvedTarget} from './target.js'

/** The identity of a connection: where it goes, as whom, through which hops, with which keys. */
export function poolKey(target: ResolvedTarget): string {
  return JSON.stringify([formatTarget(target), target.port, target.proxyJump.map((hop) => `${hop.user}@${hop.hostname}:${hop.port}`), target.identityFiles])
}

export class SshPool {
  private readonly hosts = new Map<string, Promise<SshHost>>()

  constructor(private readonly options: TransportOptions = {}) {}

  /** Resolves a target string with this pool's options (ssh config path, identity files). */
  resolve(target: string): ResolvedTarget {
    return resolveTarget(target, this.options)
  }

  /** A host handle on the pooled connection; its close() leaves the connection open (closeAll closes it). */
  async get(target: string | ResolvedTarget): Promise<SshHost> {
    const resolved = typeof target === 'string' ? this.resolve(target) : target
    const key = poolKey(resolved)
    // Two rounds at most: a pooled connection found closed is replaced once.
    for (let round = 0; round < 2; round++) {
      let pending = this.hosts.get(key)
      if (!pending) {
        const attempt = connect(resolved, this.options).then((connection) => new SshHost(connection))
        this.hosts.set(key, attempt)
        // A failed attempt is forgotten, so a later get() tries again.
        attempt.catch(() => {
          if (this.hosts.get(key) === attempt) this.hosts.delete(key)
        })
        pending = attempt
      }
      const host = await pending
      if (host.connection.isOpen) return host.view()
      if (this.hosts.get(key) === pending) this.hosts.delete(key)
    }
    throw new ConnectionError(`Connection to ${formatTarget(resolved)} closed as soon as it opened`)
  }

  get size(): number {
    return this.hosts.size
  }

  async closeAll(): Promise<void> {
    const pending = [...this.hosts.values()]
    this.hosts.clear()
    await Promise.all(pending.map((host) => host.then((h) => h.close(), () => undefined)))
  }
}
