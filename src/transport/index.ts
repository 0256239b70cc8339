/**
 * The SSH transport: targets and ssh config, known_hosts, connections, the
 * host interface over SSH, and a per-command connection pool. Importing this
 * loads ssh2; commands that may run locally should import it lazily.
 */
export {ChannelLimiter} from './channel-limiter.js'
export {connect, exitCodeOf, type PromptRequest, type SecretPrompt, type ShellSession, SshConnection, type TransportOptions, type TransportSettings, transportSettings} from './connection.js'
export {
  appendKnownHost,
  checkHostKey,
  DEFAULT_HOST_KEY_POLICY,
  defaultKnownHostsFile,
  fingerprint,
  HOST_KEY_POLICIES,
  type HostKeyPolicy,
  type HostKeyVerdict,
  type KnownHostEntry,
  KnownHosts,
  knownHostsName,
  parseKnownHosts,
} from './known-hosts.js'
export {poolKey, SshPool} from './pool.js'
export {SshHost, type SshRunOptions, type SshRunResult} from './ssh-host.js'
export {DEFAULT_IDENTITY_FILES, formatTarget, parseTarget, resolveTarget, type ResolvedTarget, type ResolveOptions, type TargetSpec} from './target.js'
