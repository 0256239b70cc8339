/**
 * Hosts on this machine's loopback for unit tests: a port nothing listens on
 * (a connection to it is refused at once), and transport options that read
 * and write nothing of the user's (known_hosts, ssh config, agent, keys).
 */
import {createServer, type AddressInfo} from 'node:net'
import {join} from 'node:path'

import type {TransportOptions} from '../../../src/transport/connection.js'

export async function closedPort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const {port} = probe.address() as AddressInfo
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

/** Transport options confined to `dir`: new host keys accepted into its known_hosts, the password (if any) from `env`. */
export function isolatedTransport(dir: string, env: Record<string, string> = {}): TransportOptions {
  return {
    knownHostsFile: join(dir, 'known_hosts'),
    globalKnownHostsFiles: [],
    hostKeyPolicy: 'accept-new',
    agentSocket: false,
    connectTimeoutMs: 5000,
    identityFiles: [],
    sshConfigPath: join(dir, 'no-ssh-config'),
    env,
    homeDir: dir,
  }
}
