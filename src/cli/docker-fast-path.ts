/**
 * The one call that runs before oclif loads: `tk docker HOST -- ARGS` while a
 * tunnel to HOST runs and a docker CLI is on PATH. It is the call admins make
 * all day, and all it does is start the local docker CLI against the tunnel's
 * socket, so loading oclif, reading its manifest and dispatching the command
 * (~0.05–0.1 s) would be most of its cost. Anything else — flags before `--`,
 * a group, no tunnel, no docker CLI, --remote through its environment
 * variable — returns undefined and goes through oclif as usual, where the
 * same command does the same thing the long way.
 */
import {findConfigFile} from '../config/locate.js'
import {findLocalDocker, runLocalDocker, runningTunnel} from '../proxy/docker-run.js'

/** The host of `docker HOST -- ARGS` when argv is exactly that shape, else undefined. */
export function fastDockerHost(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): string | undefined {
  const [command, host, separator, ...rest] = argv
  if (command !== 'docker' || separator !== '--' || rest.length === 0) return undefined
  if (host === undefined || host === '' || host.startsWith('-') || host.startsWith('@')) return undefined
  // TK_DOCKER_REMOTE is --remote's variable: docker runs on the host then, which the command itself handles.
  if (env.TK_DOCKER_REMOTE !== undefined && !/^(|0|false|no)$/i.test(env.TK_DOCKER_REMOTE)) return undefined
  return host
}

/**
 * Runs `tk docker HOST -- ARGS` without oclif when it can; resolves with
 * docker's exit code, or undefined when the command must go through oclif.
 */
export async function runDockerFastPath(argv: readonly string[]): Promise<number | undefined> {
  const host = fastDockerHost(argv)
  if (host === undefined) return undefined
  const docker = findLocalDocker()
  if (!docker) return undefined
  let project: string | undefined
  try {
    project = findConfigFile()
  } catch {
    return undefined // a TK_CONFIG naming no file: the command says so
  }
  const tunnel = runningTunnel(host, project)
  // A tunnel that lost its connection would hold docker until its reconnect gives up (~30 s a
  // request), then docker prints a raw "connection reset": the command finds out why, in tk's words.
  if (!tunnel || !tunnel.connected) return undefined
  try {
    return await runLocalDocker(docker, tunnel.endpoint, argv.slice(3))
  } catch {
    // The CLI could not be started: the command's own path says why, in tk's words.
    return undefined
  }
}
