/**
 * Which Docker engine sandbox machines live on: tk's private engine (root
 * only: tk starts a dockerd of its own under the sandbox home), or the engine
 * the user already runs (DOCKER_HOST, else /var/run/docker.sock), used as a
 * member of its docker group. TK_SANDBOX_ENGINE=private|user chooses; unset,
 * root gets the private engine (a fleet admin's system engine is never
 * touched by a root tk) and anyone else gets their own engine (the only one
 * they can use: the private engine needs root). A user engine is checked
 * before anything is made on it: it must be local, rootful and able to run
 * systemd as PID 1.
 */
import {existsSync} from 'node:fs'

import {EnvironmentError, UsageError} from '../../errors/index.js'

export const ENGINE_VARIABLE = 'TK_SANDBOX_ENGINE'
export const DEFAULT_SOCKET = '/var/run/docker.sock'

export type EngineChoice =
  | {kind: 'private'}
  /** `from` says where the socket came from, for messages. */
  | {kind: 'user'; socket: string; from: 'DOCKER_HOST' | 'the default socket'}

/** The engine this process's sandbox uses, from TK_SANDBOX_ENGINE, DOCKER_HOST and who runs tk. */
export function chooseEngine(env: NodeJS.ProcessEnv = process.env, uid: number | undefined = process.getuid?.()): EngineChoice {
  const wanted = env[ENGINE_VARIABLE]
  if (wanted !== undefined && wanted !== '' && wanted !== 'private' && wanted !== 'user') {
    throw new UsageError(`${ENGINE_VARIABLE}=${wanted} is not an engine: use private (tk's own, as root) or user (DOCKER_HOST or ${DEFAULT_SOCKET})`)
  }
  const kind = wanted || (uid === 0 ? 'private' : 'user')
  if (kind === 'private') return {kind}
  const host = env.DOCKER_HOST
  if (!host) return {kind, socket: DEFAULT_SOCKET, from: 'the default socket'}
  if (!host.startsWith('unix://')) {
    throw new EnvironmentError(`DOCKER_HOST=${host} is not a local engine: sandbox machines publish their SSH ports on this machine's 127.0.0.1, so they need an engine on a unix socket here`, {
      hint: `unset DOCKER_HOST to use ${DEFAULT_SOCKET}, or set it to unix:///PATH`,
    })
  }
  return {kind, socket: host.slice('unix://'.length), from: 'DOCKER_HOST'}
}

/** What `docker info` says that matters here (the Engine API's /info). */
export interface EngineInfo {
  OSType?: string
  SecurityOptions?: string[]
  CgroupVersion?: string
  ServerVersion?: string
}

/** Whether this machine has the cgroup v1 hierarchy systemd needs as PID 1 of a machine. */
export function hasSystemdCgroupV1(root = '/sys/fs/cgroup'): boolean {
  return existsSync(`${root}/systemd`)
}

/**
 * Why sandbox machines cannot run on this engine, or undefined when they can.
 * Machines are systemd hosts: they need every capability but one, the host's
 * cgroups bound in, and a writable /proc/sys; a rootless engine's containers
 * live in a user namespace that has none of that.
 */
export function userEngineRefusal(info: EngineInfo, systemdCgroupV1: boolean): string | undefined {
  if (info.OSType && info.OSType !== 'linux') return `it runs ${info.OSType} containers, and sandbox machines are Linux hosts`
  const options = info.SecurityOptions ?? []
  if (options.some((option) => option.split(',').includes('name=rootless'))) {
    return 'it is a rootless engine: its containers run in a user namespace without the capabilities and cgroups that systemd as PID 1 needs'
  }
  if (info.CgroupVersion === '1' && !systemdCgroupV1) {
    return "it runs on cgroup v1 without the name=systemd hierarchy (/sys/fs/cgroup/systemd) that systemd as PID 1 needs"
  }
  return undefined
}

/** One line for an engine that does not answer, from the connection error. */
export function unreachableEngine(choice: Extract<EngineChoice, {kind: 'user'}>, error: unknown, user: string): EnvironmentError {
  const code = (error as NodeJS.ErrnoException).code
  const where = `${choice.socket} (${choice.from})`
  if (code === 'EACCES' || code === 'EPERM') {
    return new EnvironmentError(`the Docker engine at ${where} does not let ${user} in`, {
      hint: `an admin adds ${user} to the socket's group (usermod -aG docker ${user}), then log in again; or run tk as root for its private engine`,
    })
  }
  if (code === 'ENOENT' || code === 'ECONNREFUSED') {
    return new EnvironmentError(`no Docker engine answers at ${where}`, {
      hint: `start it (systemctl start docker), point DOCKER_HOST at one, or run tk as root for its private engine`,
    })
  }
  return new EnvironmentError(`the Docker engine at ${where} does not answer: ${(error as Error).message}`)
}
