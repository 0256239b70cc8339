/**
 * The record a running tunnel keeps of itself, one JSON file per tunnel
 * process under ~/.local/state/tk/tunnels: what `tk tunnel ls` lists and what
 * `tk tunnel stop` trusts only after checking the pid is still that tunnel
 * (same process start time, a tk tunnel command line), never a reused pid.
 */
import {execFileSync} from 'node:child_process'
import {readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {ensurePrivateDir, tunnelStateDir} from './paths.js'

export interface TunnelState {
  pid: number
  /** The host as given on the command line (tk.yml name or user@host:port). */
  host: string
  /**
   * The tk.yml in effect where the tunnel was started (absolute path), if
   * any: `web-1` of ~/staging/tk.yml and `web-1` of ~/prod/tk.yml are two
   * machines, and a tunnel is found again only from the same project.
   */
  project?: string
  /** unix:///path or tcp://127.0.0.1:port: what DOCKER_HOST should be. */
  endpoint: string
  socket?: string
  port?: number
  /** The process's start time as the kernel counts it, to tell a reused pid apart. */
  processStart?: string
  startedAt: string
  /** stream-local, or dial-stdio when the server forbids stream-local forwarding. */
  mode?: string
  engineSocket?: string
  /** SSH connections made so far (1 until the first reconnect). */
  connections: number
  connected: boolean
  /** Seconds without a local connection after which the tunnel stops itself; absent: it runs until stopped. */
  idleTimeout?: number
  log?: string
}

export function stateFile(pid: number, dir = tunnelStateDir()): string {
  return join(dir, `${pid}.json`)
}

export function writeState(state: TunnelState, dir = tunnelStateDir()): void {
  ensurePrivateDir(dir)
  const file = stateFile(state.pid, dir)
  const temp = `${file}.${process.pid}.tmp`
  writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`, {mode: 0o600})
  renameSync(temp, file)
}

export function removeState(pid: number, dir = tunnelStateDir()): void {
  rmSync(stateFile(pid, dir), {force: true})
}

export function readState(pid: number, dir = tunnelStateDir()): TunnelState | undefined {
  try {
    return JSON.parse(readFileSync(stateFile(pid, dir), 'utf8')) as TunnelState
  } catch {
    return undefined
  }
}

/** Every recorded tunnel whose process is still that tunnel; records of dead ones are removed. */
export function liveTunnels(dir = tunnelStateDir()): TunnelState[] {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return []
  }
  const live: TunnelState[] = []
  for (const name of names) {
    const match = /^(\d+)\.json$/.exec(name)
    if (!match) continue
    const state = readState(Number(match[1]), dir)
    if (state && isTunnelProcess(state)) live.push(state)
    else removeState(Number(match[1]), dir)
  }
  return live.sort((a, b) => a.host.localeCompare(b.host) || a.pid - b.pid)
}

/** The kernel's start time of a process (field 22 of /proc/PID/stat), or undefined where there is no /proc. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may hold spaces and parentheses: count from the last ")".
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  } catch {
    return undefined
  }
}

function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')
  } catch {
    try {
      return execFileSync('ps', ['-p', String(pid), '-o', 'command='], {encoding: 'utf8'}).trim() || undefined
    } catch {
      return undefined
    }
  }
}

/** True when `state.pid` is alive and is the tunnel that wrote `state`. */
export function isTunnelProcess(state: TunnelState): boolean {
  try {
    process.kill(state.pid, 0)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  const line = commandLine(state.pid)
  if (!line || !/\btunnel\b/.test(line)) return false
  if (state.processStart !== undefined) {
    const start = processStartTime(state.pid)
    if (start !== undefined && start !== state.processStart) return false
  }
  return true
}
