/**
 * The Swarm part of a host's Engine API, asked through the SSH connection tk
 * already has (a stream-local channel to the engine's socket, as the login
 * user). Join tokens and the unlock key travel only in these requests' and
 * answers' bodies: never on a command line, in a file, or in a message.
 *
 * Part 2 (rolling upgrades, #27) asks the same questions of a manager:
 * nodes, their role and availability, and the tasks on them.
 */
import {HostStateError, PrivilegeError} from '../errors/index.js'
import type {UnixHttpRequest, UnixHttpResponse} from '../transport/unix-http.js'

/** What a host's engine says of its swarm membership (GET /info's Swarm). */
export interface SwarmInfo {
  NodeID: string
  NodeAddr: string
  LocalNodeState: 'inactive' | 'pending' | 'active' | 'error' | 'locked' | ''
  ControlAvailable: boolean
  Error: string
  RemoteManagers: Array<{NodeID: string; Addr: string}> | null
  Cluster?: {ID: string}
}

export type NodeRole = 'manager' | 'worker'
export type Availability = 'active' | 'pause' | 'drain'

export interface NodeSpec {
  Name?: string
  Labels: Record<string, string>
  Role: NodeRole
  Availability: Availability
}

/** A node as a manager lists it (GET /nodes). */
export interface SwarmNode {
  ID: string
  Version: {Index: number}
  Spec: NodeSpec
  Description?: {Hostname?: string}
  Status: {State: 'unknown' | 'down' | 'ready' | 'disconnected'; Addr?: string; Message?: string}
  ManagerStatus?: {Leader?: boolean; Reachability: 'unknown' | 'unreachable' | 'reachable'; Addr: string}
}

/** The swarm as a manager inspects it (GET /swarm): the join tokens are in it, so it is never returned to callers whole. */
interface SwarmInspect {
  ID: string
  Version: {Index: number}
  Spec: Record<string, unknown> & {EncryptionConfig?: {AutoLockManagers?: boolean}}
  JoinTokens: {Worker: string; Manager: string}
}

/** What the swarm code needs of a host: requests to its engine's socket. */
export interface EngineLink {
  /** The host's name in tk.yml, for messages. */
  readonly name: string
  /** The login user, for the message when it cannot reach the socket. */
  readonly user: string
  readonly socket: string
  request(request: UnixHttpRequest): Promise<UnixHttpResponse | undefined>
}

const SLOW_MS = 60_000

/** Secrets that may be in a request's body; scrubbed from any message made of the engine's answer. */
function scrub(text: string, secrets: readonly string[]): string {
  let out = text
  for (const secret of secrets) if (secret) out = out.split(secret).join('[hidden]')
  // Whatever else looks like a join token or an unlock key.
  return out.replaceAll(/SWMTKN-[\w-]+/g, '[hidden]').replaceAll(/SWMKEY-[\w-]+/g, '[hidden]')
}

export class SwarmEngine {
  constructor(readonly link: EngineLink) {}

  get name(): string {
    return this.link.name
  }

  private async call<T>(what: string, request: UnixHttpRequest, secrets: readonly string[] = []): Promise<T> {
    const response = await this.link.request(request)
    if (!response) {
      throw new PrivilegeError(`${this.name}: cannot reach the engine's API at ${this.link.socket} as ${this.link.user} to ${what}`, {
        hint: `tk's swarm steps use the engine's socket through the SSH connection: add ${this.link.user} to engine.users (the docker group), and allow stream-local forwarding in sshd (AllowStreamLocalForwarding yes, the default)`,
      })
    }
    if (response.status < 200 || response.status >= 300) {
      let message = response.body.trim()
      try {
        message = (JSON.parse(response.body) as {message?: string}).message ?? message
      } catch {}
      throw new HostStateError(`${this.name}: the engine refused to ${what}: ${scrub(message.split('\n')[0] ?? '', secrets)}`)
    }
    if (response.body.trim() === '') return undefined as T
    return JSON.parse(response.body) as T
  }

  async info(): Promise<SwarmInfo> {
    const info = await this.call<{Swarm: SwarmInfo}>('say its swarm state', {path: '/info'})
    return info.Swarm
  }

  async nodes(): Promise<SwarmNode[]> {
    return this.call<SwarmNode[]>('list the swarm\'s nodes', {path: '/nodes'})
  }

  /** The swarm's ID, version, spec and whether autolock is on; the tokens stay inside (see joinTokens). */
  async inspect(): Promise<{id: string; version: number; spec: SwarmInspect['Spec']; autolock: boolean}> {
    const swarm = await this.call<SwarmInspect>('inspect the swarm', {path: '/swarm'})
    return {id: swarm.ID, version: swarm.Version.Index, spec: swarm.Spec, autolock: Boolean(swarm.Spec.EncryptionConfig?.AutoLockManagers)}
  }

  /** The join token for `role`: for a join request's body and nothing else. */
  async joinToken(role: NodeRole): Promise<string> {
    const swarm = await this.call<SwarmInspect>('inspect the swarm', {path: '/swarm'})
    return role === 'manager' ? swarm.JoinTokens.Manager : swarm.JoinTokens.Worker
  }

  async init(request: {advertiseAddr: string; defaultAddrPool?: string[]; subnetSize?: number; autolock: boolean}): Promise<string> {
    return this.call<string>(
      'start a swarm',
      {
        method: 'POST',
        path: '/swarm/init',
        timeoutMs: SLOW_MS,
        body: {
          ListenAddr: '0.0.0.0:2377',
          AdvertiseAddr: request.advertiseAddr,
          ...(request.defaultAddrPool ? {DefaultAddrPool: request.defaultAddrPool} : {}),
          ...(request.subnetSize === undefined ? {} : {SubnetSize: request.subnetSize}),
          Spec: {EncryptionConfig: {AutoLockManagers: request.autolock}},
        },
      },
    )
  }

  /** Joins this host to the swarm of `managers` with `token`, which goes in the request's body only. */
  async join(request: {advertiseAddr: string; managers: string[]; token: string}): Promise<void> {
    await this.call<void>(
      'join the swarm',
      {method: 'POST', path: '/swarm/join', timeoutMs: SLOW_MS, body: {ListenAddr: '0.0.0.0:2377', AdvertiseAddr: request.advertiseAddr, RemoteAddrs: request.managers, JoinToken: request.token}},
      [request.token],
    )
  }

  async leave(): Promise<void> {
    await this.call<void>('leave the swarm', {method: 'POST', path: '/swarm/leave', timeoutMs: SLOW_MS})
  }

  async updateNode(node: SwarmNode, spec: NodeSpec): Promise<void> {
    await this.call<void>(`update node ${node.Description?.Hostname ?? node.ID}`, {method: 'POST', path: `/nodes/${encodeURIComponent(node.ID)}/update?version=${node.Version.Index}`, body: spec, timeoutMs: SLOW_MS})
  }

  /** The swarm's services (GET /services): modes, replicas, placement, reservations. */
  async services<T>(): Promise<T[]> {
    return this.call<T[]>('list the swarm\'s services', {path: '/services'})
  }

  /** The swarm's tasks, filtered as the engine filters them (GET /tasks?filters=...). */
  async tasks<T>(filters: Record<string, string[]> = {}): Promise<T[]> {
    return this.call<T[]>('list the swarm\'s tasks', {path: `/tasks?filters=${encodeURIComponent(JSON.stringify(filters))}`})
  }

  async removeNode(id: string): Promise<void> {
    await this.call<void>(`remove node ${id}`, {method: 'DELETE', path: `/nodes/${encodeURIComponent(id)}?force=true`, timeoutMs: SLOW_MS})
  }

  /** Turns autolock on or off, or rotates the join tokens; the spec is the swarm's own with that one change. */
  async updateSwarm(current: {version: number; spec: SwarmInspect['Spec']}, change: {autolock?: boolean; rotateTokens?: boolean | {worker: boolean; manager: boolean}}): Promise<void> {
    const spec = change.autolock === undefined ? current.spec : {...current.spec, EncryptionConfig: {...current.spec.EncryptionConfig, AutoLockManagers: change.autolock}}
    const which = change.rotateTokens === true ? {worker: true, manager: true} : change.rotateTokens || {worker: false, manager: false}
    const rotate = `${which.worker ? '&rotateWorkerToken=true' : ''}${which.manager ? '&rotateManagerToken=true' : ''}`
    await this.call<void>(rotate ? 'rotate the join tokens' : 'change autolock', {method: 'POST', path: `/swarm/update?version=${current.version}${rotate}`, body: spec, timeoutMs: SLOW_MS})
  }

  /** The key that unlocks a locked manager: for the user's eyes once, on a terminal. */
  async unlockKey(): Promise<string> {
    const answer = await this.call<{UnlockKey: string}>('read the unlock key', {path: '/swarm/unlockkey'})
    return answer.UnlockKey
  }
}
