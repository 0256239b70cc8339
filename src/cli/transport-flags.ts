/**
 * The flags every command that talks to hosts shares, and how they become
 * the transport's options. Each flag also has an environment variable.
 */
import * as Flags from '@oclif/core/flags'

import {DEFAULT_CONCURRENCY} from '../fleet/runner.js'
import {DEFAULT_LOCK_WAIT_SECONDS} from '../fleet/host-lock.js'
import type {TransportOptions} from '../transport/connection.js'
import {HOST_KEY_POLICIES, type HostKeyPolicy} from '../transport/known-hosts.js'
import {promptSecret} from './prompt.js'

export const transportFlags = {
  config: Flags.string({
    char: 'c',
    summary: 'tk.yml to read host names and groups from. Default: the nearest tk.yml at or above the current directory.',
    env: 'TK_CONFIG',
    helpValue: 'PATH',
  }),
  identity: Flags.string({
    char: 'i',
    summary: 'Private key file to log in with (repeatable); tried before ~/.ssh/config\'s IdentityFile.',
    multiple: true,
    multipleNonGreedy: true,
    helpValue: 'FILE',
  }),
  'host-key-policy': Flags.option({
    options: HOST_KEY_POLICIES,
    summary: 'What to do with a host key not in known_hosts: refuse it (strict), record it (accept-new), or accept it with a warning (off). A changed key is always refused. Default: ~/.ssh/config\'s StrictHostKeyChecking, else accept-new.',
    env: 'TK_HOST_KEY_POLICY',
  })(),
  'known-hosts': Flags.string({
    summary: 'known_hosts file to verify against (and that accept-new writes), instead of ~/.ssh/config\'s UserKnownHostsFile. Default ~/.ssh/known_hosts (and known_hosts2).',
    env: 'TK_KNOWN_HOSTS',
    helpValue: 'FILE',
  }),
  'connect-timeout': Flags.integer({
    summary: 'Seconds to wait for a host to connect and authenticate.',
    env: 'TK_CONNECT_TIMEOUT',
    min: 1,
    helpValue: 'SECONDS',
  }),
  'ssh-config': Flags.string({
    summary: 'OpenSSH client config to resolve host aliases with. Default ~/.ssh/config.',
    env: 'TK_SSH_CONFIG',
    helpValue: 'FILE',
  }),
}

/**
 * --concurrency for a command that works on many hosts ("How many hosts to
 * WHAT at once."); `withDefault: false` for a command that takes its default
 * from elsewhere (tk up: tk.yml's ssh.concurrency).
 */
export function concurrencyFlag(what: string, options: {withDefault?: boolean; more?: string} = {}) {
  const summary = `How many hosts to ${what} at once.${options.more ? ` ${options.more}` : ''}`
  return options.withDefault === false
    ? Flags.integer({summary, min: 1, env: 'TK_CONCURRENCY', helpValue: 'N'})
    : Flags.integer({summary, default: DEFAULT_CONCURRENCY, min: 1, env: 'TK_CONCURRENCY', helpValue: 'N'})
}

/** --wait for the commands that take a host's lock (tk up, tk provision, tk upgrade). */
export function lockWaitFlag() {
  return Flags.integer({
    summary: 'Seconds to wait for another tk run\'s lock on a host (tk up, provision, upgrade); 0 fails at once.',
    default: DEFAULT_LOCK_WAIT_SECONDS,
    min: 0,
    helpValue: 'SECONDS',
    env: 'TK_LOCK_WAIT',
  })
}

export interface TransportFlagValues {
  config?: string
  identity?: string[]
  'host-key-policy'?: HostKeyPolicy
  'known-hosts'?: string
  'connect-timeout'?: number
  'ssh-config'?: string
}

export function transportOptions(flags: TransportFlagValues, onWarning: (message: string) => void): TransportOptions {
  return {
    identityFiles: flags.identity,
    hostKeyPolicy: flags['host-key-policy'],
    knownHostsFile: flags['known-hosts'],
    connectTimeoutMs: flags['connect-timeout'] === undefined ? undefined : flags['connect-timeout'] * 1000,
    sshConfigPath: flags['ssh-config'],
    prompt: promptSecret,
    onWarning,
  }
}

export const TRANSPORT_ENVIRONMENT = `Environment: TK_SSH_PASSWORD (login password), TK_SSH_PASSPHRASE (key passphrase), TK_SUDO_PASSWORD (sudo password); on a terminal tk asks instead. Secrets are never printed.`

/** The transport flags again, for a background tk tunnel (started by tk docker, env or context) to connect the same way. */
export function tunnelArgvOf(flags: TransportFlagValues): string[] {
  const argv: string[] = []
  if (flags.config) argv.push('--config', flags.config)
  for (const file of flags.identity ?? []) argv.push('--identity', file)
  if (flags['host-key-policy']) argv.push('--host-key-policy', flags['host-key-policy'])
  if (flags['known-hosts']) argv.push('--known-hosts', flags['known-hosts'])
  if (flags['connect-timeout'] !== undefined) argv.push('--connect-timeout', String(flags['connect-timeout']))
  if (flags['ssh-config']) argv.push('--ssh-config', flags['ssh-config'])
  return argv
}
