/**
 * `tk docker HOST... -- ARGS`: the docker CLI against hosts' engines. One host
 * named as such goes through its tunnel (started in the background the first
 * time, kept while used) with the local docker CLI, or with no local CLI (or
 * --remote) runs docker on the host over SSH; a group, or several hosts, fans
 * out over SSH with each line prefixed by its host.
 */
import * as run from '../proxy/docker-run.js'
import type {TransportOptions} from '../transport/connection.js'
import type {ExecFleetResult} from './index.js'

export interface DockerRequest {
  /** Hosts as typed: names, @groups, raw targets. */
  hosts: string[]
  dockerArgs: string[]
  configPath?: string
  /** The tk.yml in effect, which keys the tunnels. */
  project?: string
  /** Run docker on the host even when a local docker CLI exists. */
  remote: boolean
  /** The background tunnel's command line (transport flags and idle timeout). */
  tunnelArgv: string[]
  concurrency?: number
  transport: TransportOptions
  /** A tunnel was started: what to tell the user. */
  onTunnelStarted?: (message: string) => void
}

/** One host: the docker CLI's exit code. Several: each host's outcome as a fleet result. */
export type DockerOutcome = {exitCode: number; fleet?: undefined} | {fleet: ExecFleetResult}

export async function runDocker(request: DockerRequest): Promise<DockerOutcome> {
  const docker = request.remote ? undefined : run.findLocalDocker()
  const {hosts, dockerArgs, project} = request
  // tk docker HOST with its tunnel up: straight to the docker CLI, without reading tk.yml (its parser alone costs ~0.1 s).
  const tunnel = docker && hosts.length === 1 && !hosts[0].startsWith('@') ? run.runningTunnel(hosts[0], project) : undefined
  if (docker && tunnel?.connected) return {exitCode: await run.runLocalDocker(docker, tunnel.endpoint, dockerArgs)}

  // Loaded only past the tunnel: tk.yml, targets and SSH are what the call above avoids.
  const [{selectTargets}, {execOnHosts}] = await Promise.all([import('../fleet/host-connector.js'), import('./index.js')])
  const targets = await selectTargets(hosts, request.configPath, {reachOnly: true})
  // One host named as such runs as if local; a group always fans out, even of one host.
  const single = hosts.length === 1 && targets.length === 1 && (targets[0].raw || targets[0].name === hosts[0])
  if (single) {
    if (docker) {
      if (tunnel && !tunnel.connected) await run.checkReachable(targets[0], request.transport)
      const {state, started} = await run.ensureTunnel(targets[0].name, project, request.tunnelArgv)
      if (started) {
        const ends = state.idleTimeout ? `it stops after ${state.idleTimeout} s unused, or with tk tunnel stop ${state.host}` : `tk tunnel stop ${state.host} ends it`
        request.onTunnelStarted?.(`started a tunnel to ${state.host} on ${state.endpoint} (pid ${state.pid}); ${ends}`)
      }
      return {exitCode: await run.runLocalDocker(docker, state.endpoint, dockerArgs)}
    }
    const pty = Boolean(process.stdin.isTTY && process.stdout.isTTY) && run.wantsTty(dockerArgs)
    return {exitCode: await run.runRemoteDocker(targets[0], dockerArgs, {transport: request.transport, pty, interactive: run.wantsStdin(dockerArgs)})}
  }

  const fleet = await execOnHosts(targets, run.remoteDockerCommand(dockerArgs), {
    concurrency: request.concurrency,
    transport: request.transport,
    stdout: process.stdout,
    stderr: process.stderr,
    prefix: true,
  })
  return {fleet}
}
