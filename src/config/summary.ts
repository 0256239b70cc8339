/**
 * What `tk config validate` reports about a loaded tk.yml: the hosts as tk
 * will reach them, groups and provisioners, and nothing secret (no env
 * values, no scripts, no daemon options).
 */
import type {HostConfig, RunPolicy, TkConfig} from './types.js'

/** A host as `tk config validate` shows it: where and how to connect, never secrets. */
export type HostSummary = Pick<HostConfig, 'name' | 'user' | 'port' | 'identityFile' | 'groups' | 'provider' | 'release'> & {
  /** Undefined for sandbox hosts: the sandbox decides. */
  address?: string
}

export interface ConfigSummary {
  file: string
  valid: true
  hosts: HostSummary[]
  groups: Record<string, string[]>
  provisioners: Array<{name: string; type: string; run: RunPolicy; hosts: string[]}>
}

export function summarizeConfig(config: TkConfig): ConfigSummary {
  return {
    file: config.file,
    valid: true,
    hosts: config.hosts.map((host) => ({
      name: host.name,
      ...(host.provider === 'sandbox' ? {} : {address: host.address}),
      ...(host.user === undefined ? {} : {user: host.user}),
      ...(host.port === undefined ? {} : {port: host.port}),
      ...(host.identityFile === undefined ? {} : {identityFile: host.identityFile}),
      groups: host.groups,
      provider: host.provider,
      ...(host.release === undefined ? {} : {release: host.release}),
    })),
    groups: Object.fromEntries(config.groups),
    provisioners: config.provisioners.map(({name, type, run, hosts}) => ({name, type, run, hosts})),
  }
}
