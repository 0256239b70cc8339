/**
 * One persistent SSH connection carrying every engine API connection of a
 * local socket. Each local connection becomes a stream-local channel to the
 * remote engine socket (OpenSSH's direct-streamlocal), or, where the server
 * forbids that, a `docker system dial-stdio` session. When the connection
 * drops, connections in flight end, and a new one is made with backoff while
 * the local socket stays; new local connections wait for it.
 */
import type {Socket} from 'node:net'
import type {Duplex} from 'node:stream'

import {HostStateError, PrivilegeError, UserError} from '../errors/index.js'
import type {SshConnection} from '../transport/connection.js'
import type {SshHost} from '../transport/ssh-host.js'
import {shQuote} from '../transport/sh-quote.js'
import {loginShellCommand} from '../transport/login-shell.js'
import {Backoff} from './backoff.js'
import {RequestGuard, refusedResponse} from './host-guard.js'
import {DAEMON_JSON, engineSocketFromDaemonJson} from './engine-socket.js'

export type TunnelMode = 'stream-local' | 'dial-stdio'

/** Opens a fresh SSH connection to the tunnel's host (with tk.yml and the command line applied). */
export type HostOpener = () => Promise<{host: SshHost; close: () => Promise<void>}>

export interface TunnelOptions {
  /** The host as the user named it, for messages. */
  name: string
  open: HostOpener
  /** The remote engine socket; default: daemon.json's unix:// host, else /var/run/docker.sock. */
  engineSocket?: string
  /** Progress and notices, one line each (connects, drops, the dial-stdio fallback). */
  log: (line: string) => void
  /** Called after each (re)connect and each drop, e.g. to update the state file. */
  onChange?: (tunnel: Tunnel) => void
  /** How long a new local connection waits for a reconnect before it is closed. Default 30 s. */
  waitForLinkMs?: number
}

interface Link {
  host: SshHost
  connection: SshConnection
  close: () => Promise<void>
}

const PING = 'GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n'

export class Tunnel {
  /** SSH connections made so far; a reconnect makes it grow. */
  connections = 0
  /** Local connections served so far. */
  served = 0
  mode: TunnelMode = 'stream-local'
  engineSocket: string | undefined
  private link: Link | undefined
  private pending: Promise<Link> | undefined
  private stopped = false
  private readonly backoff = new Backoff()
  private readonly active = new Set<Duplex>()
  private wake: (() => void) | undefined

  constructor(private readonly options: TunnelOptions) {
    this.engineSocket = options.engineSocket
  }

  get connected(): boolean {
    return this.link !== undefined && this.link.connection.isOpen
  }

  /** Makes the first connection; any failure (auth, host key, no engine access) is thrown, not retried. */
  async start(): Promise<void> {
    this.link = await this.connectOnce()
    this.options.onChange?.(this)
  }

  /**
   * Serves one local connection: joins it to a new channel to the engine.
   * With `guard` (a TCP port, which web pages can reach), every request must
   * name a local Host and come from no browser (src/proxy/host-guard.ts).
   */
  async handle(local: Socket, options: {guard?: boolean} = {}): Promise<void> {
    this.served++
    local.on('error', () => {}) // a client that resets is not the tunnel's problem
    let remote: Duplex
    try {
      const link = await this.currentLink()
      try {
        remote = await this.openEngineStream(link)
      } catch (error) {
        // The connection died under us before its close was seen: try once more on the next one.
        if (link.connection.isOpen || this.stopped) throw error
        remote = await this.openEngineStream(await this.currentLink())
      }
    } catch (error) {
      this.options.log(`an engine connection could not be opened: ${(error as Error).message}`)
      local.destroy()
      return
    }
    if (local.destroyed) {
      remote.destroy()
      return
    }
    const guard = options.guard
      ? new RequestGuard((reason) => {
          this.options.log(`refused a request on the TCP port: ${reason}`)
          local.unpipe()
          remote.destroy()
          local.end(refusedResponse())
        })
      : undefined
    splice(local, remote, this.active, guard)
  }

  /** Closes the connection and every channel; no reconnect after this. */
  async stop(): Promise<void> {
    this.stopped = true
    this.wake?.()
    for (const stream of this.active) stream.destroy()
    const link = this.link
    this.link = undefined
    await link?.close()
  }

  /** The open link, or the reconnect in progress (bounded wait). */
  private async currentLink(): Promise<Link> {
    if (this.link && this.link.connection.isOpen) return this.link
    if (this.stopped) throw new Error('the tunnel is stopping')
    this.reconnect()
    // A new local connection is what the user waits on: retry now rather than after the backoff.
    this.wake?.()
    const waitMs = this.options.waitForLinkMs ?? 30_000
    let timer: NodeJS.Timeout | undefined
    try {
      return await Promise.race([
        this.pending!,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no connection to ${this.options.name} after ${waitMs / 1000} s`)), waitMs)
        }),
      ])
    } finally {
      clearTimeout(timer)
    }
  }

  /** Starts the reconnect loop unless one runs: backoff between attempts, forever until stop(). */
  private reconnect(): void {
    if (this.pending || this.stopped) return
    this.link = undefined
    const loop = async (): Promise<Link> => {
      for (;;) {
        if (this.stopped) throw new Error('the tunnel is stopping')
        const delay = this.backoff.next()
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay)
          this.wake = () => {
            clearTimeout(timer)
            resolve()
          }
        })
        this.wake = undefined
        if (this.stopped) throw new Error('the tunnel is stopping')
        let link: Link
        try {
          link = await this.connectOnce()
        } catch (error) {
          this.options.log(`reconnect to ${this.options.name} failed: ${(error as Error).message}`)
          continue
        }
        // Stopped (a signal, --idle-timeout) while that attempt ran: its connection would keep the process alive.
        if (this.stopped) {
          await link.close()
          throw new Error('the tunnel is stopping')
        }
        return link
      }
    }
    const pending = loop()
    this.pending = pending
    pending.then(
      (link) => {
        this.pending = undefined
        this.link = link
        this.backoff.reset()
        this.options.onChange?.(this)
      },
      () => {
        this.pending = undefined
      },
    )
  }

  /** One SSH connection, the engine socket found and proven to answer, the mode chosen. */
  private async connectOnce(): Promise<Link> {
    const {host, close} = await this.options.open()
    const connection = host.connection
    try {
      this.engineSocket ??= engineSocketFromDaemonJson((await host.readFile(DAEMON_JSON).catch(() => undefined))?.toString('utf8'))
      const link: Link = {host, connection, close}
      this.mode = await this.chooseMode(link)
      this.connections++
      const number = this.connections
      connection.client.once('close', () => {
        if (this.link?.connection !== connection) return
        this.options.log(`connection ${number} to ${this.options.name} closed; reconnecting (open engine connections end)`)
        this.link = undefined
        this.options.onChange?.(this)
        if (!this.stopped) this.reconnect()
      })
      this.options.log(`connected to ${this.options.name} (connection ${number}, ${this.mode === 'stream-local' ? `forwarding to ${this.engineSocket}` : `docker system dial-stdio on ${this.engineSocket}`})`)
      return link
    } catch (error) {
      await close()
      throw error
    }
  }

  /** Stream-local forwarding when the server allows it, else dial-stdio; a user without engine access is an error. */
  private async chooseMode(link: Link): Promise<TunnelMode> {
    const socket = this.engineSocket!
    let forwardError: Error
    try {
      await ping(await link.connection.forwardOutStreamLocal(socket))
      return 'stream-local'
    } catch (error) {
      forwardError = error as Error
    }
    if (!link.connection.isOpen) throw forwardError
    // The server gives the same "open failed" for a refused forward and a socket the user cannot open: ask the host which.
    const probe = await link.host.run(`p=${shQuote(socket)}; if [ ! -S "$p" ]; then echo missing; elif [ -r "$p" ] && [ -w "$p" ]; then echo ok; else echo denied; fi`)
    const verdict = probe.stdout.trim()
    const user = link.connection.target.user
    if (verdict === 'missing') {
      throw new HostStateError(`${this.options.name}: no engine socket at ${socket}`, {hint: 'install the engine with tk provision HOST, or pass --engine-socket'})
    }
    if (verdict === 'denied') throw noEngineAccess(this.options.name, user, socket)
    try {
      await ping(await this.dialStdio(link))
    } catch (error) {
      throw new HostStateError(`${this.options.name}: the server refuses stream-local forwarding to ${socket} (${forwardError.message}) and docker system dial-stdio failed too: ${(error as Error).message}`, {
        hint: 'set AllowStreamLocalForwarding yes in the host\'s sshd_config, or install the docker CLI there',
      })
    }
    if (this.mode !== 'dial-stdio' || this.connections === 0) {
      this.options.log(
        `${this.options.name} forbids stream-local forwarding (AllowStreamLocalForwarding no): falling back to one \`docker system dial-stdio\` SSH session per engine connection (slower to open; at most ${link.connection.settings.maxChannels} at once)`,
      )
    }
    return 'dial-stdio'
  }

  private openEngineStream(link: Link): Promise<Duplex> {
    return this.mode === 'stream-local' ? link.connection.forwardOutStreamLocal(this.engineSocket!) : this.dialStdio(link)
  }

  private async dialStdio(link: Link): Promise<Duplex> {
    const channel = await link.connection.exec(loginShellCommand(`exec docker -H ${shQuote(`unix://${this.engineSocket}`)} system dial-stdio`))
    let stderr = ''
    channel.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString('utf8')
    })
    channel.once('close', () => {
      const line = stderr.trim().split('\n').pop()
      if (line) this.options.log(`dial-stdio: ${line}`)
    })
    return channel
  }
}

export function noEngineAccess(name: string, user: string, socket: string): UserError {
  return new PrivilegeError(`${name}: ${user} has no access to the Docker engine (${socket} is not readable and writable for it)`, {
    hint: `add it to the docker group with tk provision ${name} --docker-user ${user}, or connect as a user in that group`,
  })
}

/** Sends GET /_ping on a fresh engine stream and expects 200 OK; closes the stream. */
export function ping(stream: Duplex, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let response = ''
    const timer = setTimeout(() => finish(new Error(`the engine did not answer /_ping within ${timeoutMs / 1000} s`)), timeoutMs)
    const finish = (error?: Error) => {
      clearTimeout(timer)
      stream.removeAllListeners('data')
      stream.destroy()
      if (error) reject(error)
      else resolve()
    }
    stream.on('data', (chunk: Buffer) => {
      response += chunk.toString('latin1')
      if (/^HTTP\/1\.[01] 200 /.test(response) && response.includes('\r\n\r\n')) finish()
      else if (/^HTTP\/1\.[01] \d{3} /.test(response) && !/^HTTP\/1\.[01] 200 /.test(response)) finish(new Error(`the engine answered /_ping with ${response.split('\r\n')[0]}`))
    })
    stream.once('error', (error: Error) => finish(error))
    stream.once('close', () => finish(new Error(response ? `unexpected answer to /_ping: ${response.split('\r\n')[0]}` : 'the engine closed the connection without an answer')))
    stream.write(PING)
  })
}

/**
 * Joins a local socket and an engine stream both ways, half-closes included:
 * EOF on one side ends the other's write side, so `docker run -i` with stdin
 * closed still gets its output. An error on either side ends both.
 */
export function splice(local: Socket, remote: Duplex, active?: Set<Duplex>, guard?: RequestGuard): void {
  active?.add(remote)
  if (guard) local.pipe(guard).pipe(remote)
  else local.pipe(remote)
  remote.pipe(local)
  const destroyBoth = () => {
    local.destroy()
    remote.destroy()
  }
  local.once('error', destroyBoth)
  remote.once('error', destroyBoth)
  local.once('close', () => {
    remote.destroy()
    active?.delete(remote)
  })
  remote.once('close', () => {
    active?.delete(remote)
    // After the engine's EOF, what is still buffered for the client must reach it: end, not destroy.
    if (local.writableEnded) {
      setTimeout(() => local.destroy(), 10_000).unref()
    } else local.destroy()
  })
  local.resume()
}
