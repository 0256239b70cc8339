/**
 * Where a docker client should point for a host, and how to say so: the
 * running tunnel's endpoint when there is one (fast, any SSH setup tk
 * handles), else ssh://user@host:port for OpenSSH itself to reach. Used by
 * `tk env` (shell lines) and `tk context` (a docker context).
 */
import {UnsupportedHostError, UsageError} from '../errors/index.js'
import type {Target} from '../targets/index.js'
import {formatTarget, resolveTarget, type ResolveOptions} from '../transport/target.js'
import {ensureTunnel, runningTunnel} from './docker-run.js'

export const SHELLS = ['bash', 'zsh', 'sh', 'fish', 'powershell'] as const
export type ShellKind = (typeof SHELLS)[number]

export interface DockerEndpoint {
  /** What DOCKER_HOST should be. */
  url: string
  /** tunnel: a running tk tunnel's socket or port; ssh: docker's own ssh:// transport. */
  via: 'tunnel' | 'ssh'
  tunnelPid?: number
}

export interface EndpointOptions {
  resolve?: ResolveOptions
  /** The transport flags for a tunnel started here (everything after `tk tunnel HOST`). */
  tunnelArgv?: string[]
  /** A tunnel was started for this endpoint: what to tell the user. */
  onTunnelStarted?: (message: string) => void
}

/**
 * The running tunnel's endpoint for `host` (the one tk docker and tk tunnel
 * use: one tunnel per host), else its ssh:// URL. A sandbox machine, whose
 * SSH port docker's ssh:// could not know, gets a tunnel started in the
 * background, as tk docker starts one; it runs until tk tunnel stop.
 */
export async function dockerEndpoint(host: string, target: Target, project: string | undefined, options: EndpointOptions = {}): Promise<DockerEndpoint> {
  const tunnel = runningTunnel(host, project)
  if (tunnel) return {url: tunnel.endpoint, via: 'tunnel', tunnelPid: tunnel.pid}
  const resolve = options.resolve ?? {}
  if (target.provider === 'sandbox') {
    // A machine that was never made is tk up's to make (its release, its place in the fleet), not a side effect of asking for DOCKER_HOST.
    const {describeSandboxHosts} = await import('../providers/sandbox/fleet.js')
    const [machine] = await describeSandboxHosts([target])
    if (machine?.state === 'not-created') {
      throw new UnsupportedHostError(`${target.name} is a sandbox machine that does not exist yet`, {hint: 'tk up creates it'})
    }
    const {state, started} = await ensureTunnel(host, project, options.tunnelArgv ?? [])
    if (started) options.onTunnelStarted?.(`started a tunnel to ${state.host} on ${state.endpoint} (pid ${state.pid}); it runs until tk tunnel stop ${state.host}`)
    return {url: state.endpoint, via: 'tunnel', tunnelPid: state.pid}
  }
  const resolved = target.raw ? resolveTarget(target.address, resolve) : resolveTarget({host: target.address, user: target.user, port: target.port}, resolve)
  if (resolved.proxyJump.length > 0) {
    // docker's ssh:// runs plain ssh, which follows ~/.ssh/config itself: keep the alias so it sees the jump.
    return {url: `ssh://${resolved.user}@${resolved.alias}`, via: 'ssh'}
  }
  return {url: `ssh://${formatTarget({user: resolved.user, hostname: resolved.hostname, port: resolved.port})}`, via: 'ssh'}
}

/** The shell of $SHELL (fish, pwsh) or bash. */
export function detectShell(env: NodeJS.ProcessEnv = process.env): ShellKind {
  const name = (env.SHELL ?? '').split('/').pop() ?? ''
  if (name === 'fish') return 'fish'
  if (name === 'pwsh' || name === 'powershell') return 'powershell'
  if (name === 'zsh') return 'zsh'
  return 'bash'
}

const posixQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`
const fishQuote = (value: string) => `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`
const powershellQuote = (value: string) => `'${value.replace(/'/g, "''")}'`

/** Lines that set (or with `value` undefined, unset) each variable in the given shell. */
export function shellLines(shell: ShellKind, variables: Record<string, string | undefined>): string[] {
  return Object.entries(variables).map(([name, value]) => {
    switch (shell) {
      case 'fish':
        return value === undefined ? `set -e ${name};` : `set -gx ${name} ${fishQuote(value)};`
      case 'powershell':
        return value === undefined ? `Remove-Item Env:${name} -ErrorAction SilentlyContinue` : `$Env:${name} = ${powershellQuote(value)}`
      default:
        return value === undefined ? `unset ${name}` : `export ${name}=${posixQuote(value)}`
    }
  })
}

/** The hint line telling how to apply the output, as a comment in that shell. */
export function applyHint(shell: ShellKind, command: string): string {
  if (shell === 'fish') return `# Run this command to configure your shell:\n# ${command} | source`
  if (shell === 'powershell') return `# Run this command to configure your shell:\n# & ${command} | Invoke-Expression`
  return `# Run this command to configure your shell:\n# eval "$(${command})"`
}

/** A docker context name for a host: its tk.yml name, or the target with what docker refuses turned into "-". */
export function contextName(host: string): string {
  const name = host.replace(/[^A-Za-z0-9_.+-]/g, '-').replace(/^[^A-Za-z0-9]+/, '')
  if (name.length < 2) throw new UsageError(`cannot make a docker context name from ${host}`, {hint: 'pass --name NAME'})
  return name
}
