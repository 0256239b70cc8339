/**
 * `tk ssh-config`: OpenSSH Host blocks for tk.yml's hosts, so ssh, scp,
 * rsync and Ansible reach them beside tk with the same login and the same
 * pinned host keys, strictly. A sandbox machine's SSH port changes on every
 * start, so its block connects through tk (`tk ssh-proxy`), which finds the
 * current port each time; its key is pinned under the machine's name
 * (HostKeyAlias), which does not change.
 */
import {shQuote} from '../transport/sh-quote.js'
import type {Target} from '../targets/index.js'
import type {SandboxAccess} from '../providers/sandbox/lifecycle.js'

/** How this tk runs again from a ProxyCommand: node, its bin script, and the environment that picks the same sandbox. */
export interface TkInvocation {
  node: string
  bin: string
  /** The tk.yml the hosts come from (absolute). */
  configFile: string
  /** TK_SANDBOX_HOME and the like, when set: the proxy must open the same sandbox. */
  env: Record<string, string>
}

/** The variables that choose which sandbox tk opens: the ProxyCommand must open the same one. */
export function sandboxEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(['TK_SANDBOX_HOME', 'TK_SANDBOX_ENGINE'].flatMap((name) => (env[name] ? [[name, env[name]!]] : [])))
}

export type SshConfigEntry = {name: string; options: Array<[string, string]>}

/** A value as ssh_config reads it: double quotes around one with spaces (OpenSSH has no escape for a quote inside). */
function configValue(value: string): string {
  return /[\s"#]/.test(value) ? `"${value}"` : value
}

/** ProxyCommand runs through the shell after OpenSSH expands %-tokens: % doubled, words quoted. */
function proxyCommand(tk: TkInvocation, host: string): string {
  const env = Object.entries(tk.env).map(([name, value]) => shQuote(`${name}=${value}`))
  const words = [...(env.length > 0 ? ['env', ...env] : []), shQuote(tk.node), shQuote(tk.bin), 'ssh-proxy', '--config', shQuote(tk.configFile), shQuote(host)]
  return words.join(' ').replaceAll('%', '%%')
}

export function sandboxEntry(access: SandboxAccess, tk: TkInvocation): SshConfigEntry {
  return {
    name: access.target,
    options: [
      // Never dialled: the proxy connects; it names the machine in OpenSSH's messages.
      ['HostName', access.machine],
      ['User', access.user],
      ['IdentityFile', configValue(access.identityFile)],
      ['IdentitiesOnly', 'yes'],
      ['ProxyCommand', proxyCommand(tk, access.target)],
      ['HostKeyAlias', access.hostKeyAlias],
      ['UserKnownHostsFile', configValue(access.knownHostsFile)],
      ['GlobalKnownHostsFile', '/dev/null'],
      ['StrictHostKeyChecking', 'yes'],
    ],
  }
}

/** An ssh host of tk.yml as tk reaches it; what tk.yml leaves out is ~/.ssh/config's, as for tk. */
export function sshHostEntry(target: Target, knownHostsFile: string | undefined): SshConfigEntry {
  const options: Array<[string, string]> = [['HostName', target.address]]
  if (target.port !== undefined) options.push(['Port', String(target.port)])
  if (target.user !== undefined) options.push(['User', target.user])
  if (target.identityFile !== undefined) options.push(['IdentityFile', configValue(target.identityFile)])
  if (knownHostsFile !== undefined) options.push(['UserKnownHostsFile', configValue(knownHostsFile)])
  options.push(['StrictHostKeyChecking', 'yes'])
  return {name: target.name, options}
}

export function renderSshConfig(entries: readonly SshConfigEntry[]): string {
  return entries.map((entry) => [`Host ${entry.name}`, ...entry.options.map(([key, value]) => `  ${key} ${value}`)].join('\n')).join('\n\n') + '\n'
}
