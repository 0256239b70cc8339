/**
 * Packages through the workstation (engine.fetch: workstation, --fetch-via
 * workstation): for the time of tk's apt steps on a host, a remote forward on
 * the host's loopback, over the SSH connection tk already has (through its
 * jump hosts too), to the workstation's package proxy. tk's own apt commands
 * reach it through options on their command line (TK_APT_PROXY, read by
 * host-scripts/lib/apt-via.sh); nothing is written to the host's apt
 * configuration.
 */
import type {EngineFetch} from '../config/types.js'
import {HostStateError, UsageError, UserError} from '../errors/index.js'
import {RemoteForwardRefused} from '../transport/connection.js'
import type {Host} from '../transport/host.js'
import {hostScript} from '../transport/host-scripts.js'
import {parseAptSources} from '../facts/apt-sources.js'
import {FactSections} from '../facts/sections.js'
import {SourceAllowList} from './allow-list.js'
import {startPackageProxy, type ProxyCounts} from './package-proxy.js'

/** Where tk's apt steps fetch packages (tk.yml's engine.fetch, --fetch-via). */
export type FetchVia = EngineFetch

/** The environment variable of tk's apt scripts that carries the proxy's address on the host. */
export const APT_PROXY_ENV = 'TK_APT_PROXY'

export const OFFLINE_DOCS = 'docs/offline.md'

export interface WorkstationFetch {
  /** The environment for tk's apt scripts on the host: TK_APT_PROXY=http://127.0.0.1:PORT. */
  aptEnv: Record<string, string>
  counts: ProxyCounts
  /** The hosts refused so far. */
  refusedHosts: Set<string>
  close(): Promise<void>
}

/** The host's apt source URIs, in a round trip of their own (tk upgrade reads no other facts first). */
export async function readAptSources(host: Host): Promise<string[]> {
  const result = await host.run(await hostScript('apt-sources-facts.sh'))
  if (result.code !== 0) throw new HostStateError(`${host.name}: cannot read the apt sources (exit ${result.code}): ${result.stderr.trim()}`)
  return parseAptSources(new FactSections(result.stdout).lines('apt-sources'))
}

/**
 * The setting of tk's apt scripts that records, on the host, how the
 * engine's packages came (/var/lib/tk/engine-install, read by tk status).
 */
export function installRecord(via: FetchVia | undefined): Record<string, string> {
  return {TK_INSTALL_RECORD: `via=${via ?? 'direct'}`}
}

/** What the plan says of where packages come from. */
export function fetchRoute(via: FetchVia | undefined): string {
  return via === 'workstation' ? 'through the workstation (over SSH)' : "from the host's own network"
}

/**
 * Opens the proxy and the remote forward for `host`. `sources` are the
 * host's apt source URIs (its facts) and `extra` more URLs to allow (the
 * engine's repository).
 */
export async function openWorkstationFetch(target: string, host: Host, sources: readonly string[], extra: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<WorkstationFetch> {
  if (!host.forwardIn) throw new UsageError(`${target}: packages through the workstation need an SSH connection to forward over`, {hint: 'leave out --fetch-via workstation for the local machine'})
  const allowList = new SourceAllowList([...sources, ...extra])
  if (allowList.isEmpty) {
    throw new HostStateError(`${target}: apt has no http or https package sources, so there is nothing to fetch through the workstation`, {
      hint: `configure the host's apt sources, or install from an offline bundle (see ${OFFLINE_DOCS})`,
    })
  }
  const proxy = await startPackageProxy({allowList, label: target, env})
  try {
    const forward = await host.forwardIn((channel) => proxy.accept(channel))
    return {
      aptEnv: {[APT_PROXY_ENV]: `http://127.0.0.1:${forward.port}`},
      counts: proxy.counts,
      refusedHosts: proxy.refusedHosts,
      async close() {
        await forward.close()
        await proxy.close()
      },
    }
  } catch (error) {
    await proxy.close()
    if (error instanceof RemoteForwardRefused) {
      throw new HostStateError(`${target}: sshd there forbids port forwarding (AllowTcpForwarding), so packages cannot come through the workstation`, {
        hint: `allow remote forwarding for tk's user (AllowTcpForwarding yes or remote), or install from an offline bundle (see ${OFFLINE_DOCS})`,
        cause: error,
      })
    }
    throw error
  }
}

/**
 * An apt step failed while packages came through the workstation: when the
 * proxy refused hosts (a redirect to a mirror outside the sources, say), the
 * error says which, since apt itself only says 403.
 */
export function explainRefused(error: unknown, fetch: WorkstationFetch): unknown {
  if (fetch.refusedHosts.size === 0 || !(error instanceof UserError)) return error
  const hosts = [...fetch.refusedHosts].sort().join(', ')
  return new HostStateError(`${error.message} (tk's package proxy refused ${hosts}: not among the host's package sources)`, {
    hint: 'add the host to the host\'s apt sources, or install from an offline bundle (see docs/offline.md)',
    cause: error,
  })
}
