/**
 * Connects to the hosts a command was given — tk.yml hosts or raw targets —
 * with one connection each, applying tk.yml's per-host user, port, identity
 * file and SSH settings under whatever the command line said. Sandbox hosts
 * are reached through their machine, with the sandbox's own key and known_hosts.
 */
import type {TkConfig} from '../config/types.js'
import type {Target} from '../targets/index.js'
import type {TransportOptions} from '../transport/connection.js'
import {SshPool} from '../transport/pool.js'
import type {SshHost} from '../transport/ssh-host.js'
import {resolveTarget} from '../transport/target.js'

export class HostConnector {
  private readonly pools = new Map<string, SshPool>()

  constructor(private readonly base: TransportOptions) {}

  /** The transport options for one host: command-line flags win over tk.yml. */
  optionsFor(target: Target): TransportOptions {
    const fromFile = target.sshOptions
    return {
      ...this.base,
      hostKeyPolicy: this.base.hostKeyPolicy ?? fromFile.hostKeyPolicy,
      connectTimeoutMs: this.base.connectTimeoutMs ?? (fromFile.connectTimeout === undefined ? undefined : fromFile.connectTimeout * 1000),
      identityFiles: [...(this.base.identityFiles ?? []), ...(target.identityFile ? [target.identityFile] : [])],
    }
  }

  async get(target: Target): Promise<SshHost> {
    if (target.provider === 'sandbox') return this.getSandbox(target)
    const options = this.optionsFor(target)
    const key = JSON.stringify([options.hostKeyPolicy, options.connectTimeoutMs, options.identityFiles])
    let pool = this.pools.get(key)
    if (!pool) {
      pool = new SshPool(options)
      this.pools.set(key, pool)
    }
    const resolved = target.raw ? resolveTarget(target.address, options) : resolveTarget({host: target.address, user: target.user, port: target.port}, options)
    return pool.get(resolved)
  }

  /**
   * A sandbox host through its machine's published port, as admin with the
   * sandbox's key and known_hosts, strictly; nothing of ~/.ssh is read or written.
   */
  private async getSandbox(target: Target): Promise<SshHost> {
    const {reachSandboxHost} = await import('../providers/sandbox/fleet.js')
    const machine = await reachSandboxHost(target)
    const options: TransportOptions = {
      ...this.base,
      identityFiles: [machine.identityFile],
      hostKeyPolicy: machine.hostKeyPolicy,
      knownHostsFile: machine.knownHostsFile,
      globalKnownHostsFiles: [],
      sshConfigPath: '/dev/null',
      agentSocket: false,
    }
    const key = `sandbox:${machine.knownHostsFile}:${machine.identityFile}`
    let pool = this.pools.get(key)
    if (!pool) {
      pool = new SshPool(options)
      this.pools.set(key, pool)
    }
    return pool.get(resolveTarget({host: machine.host, user: machine.user, port: machine.port}, options))
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.closeAll()))
    this.pools.clear()
  }
}

/**
 * Reads tk.yml when there is one and turns the command's host arguments into
 * targets. `reachOnly`: the command only reaches hosts (status, exec, check,
 * destroy, docker, tunnel): provisioners' and daemon options' secrets may be
 * unset. Commands that apply tk.yml's engine or provisioners leave it off.
 */
export async function selectTargets(args: string[], configPath?: string, options: {reachOnly?: boolean} = {}): Promise<Target[]> {
  return (await selectTargetsAndConfig(args, configPath, options)).targets
}

/** selectTargets, with the tk.yml it read (undefined: none), for a command that needs more of it than the hosts. */
export async function selectTargetsAndConfig(args: string[], configPath?: string, options: {reachOnly?: boolean} = {}): Promise<{targets: Target[]; config?: TkConfig}> {
  const {loadConfig} = await import('../config/index.js')
  const {resolveTargets} = await import('../targets/index.js')
  const config = await loadConfig({path: configPath, deferSecrets: options.reachOnly})
  return {targets: resolveTargets(config, args), ...(config ? {config} : {})}
}
