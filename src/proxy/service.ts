/**
 * `tk tunnel`, `tk tunnel ls` and `tk tunnel stop` as services: the command
 * builds the options, these do the work and return typed results.
 */
import {spawn} from 'node:child_process'
import {closeSync, existsSync, lstatSync, openSync, readFileSync, rmSync} from 'node:fs'
import {dirname, join} from 'node:path'

import {ExitCode} from '../errors/exit-codes.js'
import {ConnectionError, HostStateError, UsageError, userErrorOf} from '../errors/index.js'
import type {TransportOptions} from '../transport/connection.js'
import {withoutSecrets} from '../transport/secret-env.js'
import {clearStaleSocket, type Endpoint, endpointUrl, listen} from './local-endpoint.js'
import {defaultSocketPath, ensurePrivateDir, fileNameFor, tunnelStateDir} from './paths.js'
import {isTunnelProcess, liveTunnels, processStartTime, readState, removeState, type TunnelState, writeState} from './state.js'
import {IdleWatch} from './idle.js'
import {Tunnel} from './tunnel.js'

export interface TunnelRunOptions {
  host: string
  socket?: string
  port?: number
  engineSocket?: string
  config?: string
  transport: TransportOptions
  /** Human output: the endpoint once listening. */
  out: (line: string) => void
  /** Progress lines (connects, drops, fallback). */
  log: (line: string) => void
  /** Stop once no local connection has been open for this many seconds; 0 or undefined: run until stopped. */
  idleTimeout?: number
}

function inodeOf(path: string): number | undefined {
  try {
    return lstatSync(path).ino
  } catch {
    return undefined
  }
}

/** Removes the file at `path` when it is still the one with inode `ino` (close() may have removed it already). */
function unlinkIfSame(path: string, ino: number): void {
  if (inodeOf(path) === ino) rmSync(path, {force: true})
}

async function chooseEndpoint(options: TunnelRunOptions, project: string | undefined): Promise<Endpoint> {
  if (options.port !== undefined) return {kind: 'tcp', host: '127.0.0.1', port: options.port}
  if (options.socket) return {kind: 'unix', path: options.socket}
  const path = defaultSocketPath(options.host, undefined, project)
  ensurePrivateDir(dirname(path))
  return {kind: 'unix', path}
}

/** Runs a tunnel in the foreground until SIGINT or SIGTERM; resolves once it has shut down. */
export async function runTunnel(options: TunnelRunOptions): Promise<TunnelState> {
  const [{selectTargets, HostConnector}, {findConfigFile}] = await Promise.all([import('../fleet/host-connector.js'), import('../config/locate.js')])
  const targets = await selectTargets([options.host], options.config, {reachOnly: true})
  const project = findConfigFile({path: options.config})
  if (targets.length !== 1) throw new UsageError(`${options.host} names ${targets.length} hosts: a tunnel goes to one`)
  const [target] = targets

  let endpoint = await chooseEndpoint(options, project)
  if (endpoint.kind === 'unix') {
    const owner = liveTunnels().find((state) => state.socket === (endpoint as {path: string}).path)
    await clearStaleSocket(endpoint.path, owner ? `tk tunnel to ${owner.host}, pid ${owner.pid}` : undefined)
  }

  const state: TunnelState = {
    pid: process.pid,
    host: options.host,
    ...(project ? {project} : {}),
    endpoint: '',
    processStart: processStartTime(process.pid),
    startedAt: new Date().toISOString(),
    connections: 0,
    connected: false,
    ...(options.idleTimeout ? {idleTimeout: options.idleTimeout} : {}),
    ...(process.env.TK_TUNNEL_LOG ? {log: process.env.TK_TUNNEL_LOG} : {}),
  }
  let listening = false
  let stopping = false
  const tunnel = new Tunnel({
    name: target.name,
    engineSocket: options.engineSocket,
    log: options.log,
    open: async () => {
      const connector = new HostConnector(options.transport)
      try {
        return {host: await connector.get(target), close: () => connector.closeAll()}
      } catch (error) {
        await connector.closeAll()
        throw error
      }
    },
    onChange: (t) => {
      Object.assign(state, {connections: t.connections, connected: t.connected, mode: t.mode, engineSocket: t.engineSocket})
      if (listening && !stopping) writeState(state)
    },
  })
  await tunnel.start()

  let stopNow: (why: string) => void = () => undefined
  const stopped = new Promise<string>((resolve) => {
    stopNow = resolve
  })
  const idle = options.idleTimeout ? new IdleWatch(options.idleTimeout * 1000, () => stopNow(`no engine connection for ${options.idleTimeout} s`)) : undefined
  const {server, endpoint: bound} = await listen(endpoint, (socket) => {
    idle?.track(socket)
    void tunnel.handle(socket, {guard: endpoint.kind === 'tcp'})
  })
  endpoint = bound
  const socketInode = endpoint.kind === 'unix' ? inodeOf(endpoint.path) : undefined
  listening = true
  Object.assign(state, {
    endpoint: endpointUrl(endpoint),
    ...(endpoint.kind === 'unix' ? {socket: endpoint.path} : {port: endpoint.port}),
    connections: tunnel.connections,
    connected: tunnel.connected,
    mode: tunnel.mode,
    engineSocket: tunnel.engineSocket,
  })
  writeState(state)
  options.out(`Tunnel to ${target.name} on ${state.endpoint}`)
  options.out(`  export DOCKER_HOST=${state.endpoint}`)

  const onSignal = (signal: NodeJS.Signals) => stopNow(signal)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal)
  const why = await stopped
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(signal, onSignal)
  idle?.stop()
  options.log(`stopping (${why})`)
  // The record goes first: from here no tk docker or tk env may pick this tunnel. The socket file is
  // removed only while it is still this tunnel's: by now the path may be a newer tunnel's.
  stopping = true
  removeState(process.pid)
  server.close()
  await tunnel.stop()
  if (endpoint.kind === 'unix' && socketInode !== undefined) unlinkIfSame(endpoint.path, socketInode)
  return {...state, connected: false}
}

/**
 * Starts the same command without --detach as a background process whose
 * output goes to a log file, and waits until it listens (its state file
 * appears) or fails (it exits: its last error line is shown).
 */
export async function detachTunnel(host: string, argv: string[], options: {timeoutMs?: number} = {}): Promise<TunnelState> {
  const dir = tunnelStateDir()
  ensurePrivateDir(dir)
  const log = join(dir, `${fileNameFor(host)}.log`)
  const fd = openSync(log, 'a', 0o600)
  let child
  try {
    child = spawn(process.execPath, [...process.execArgv, process.argv[1], 'tunnel', ...argv], {
      detached: true,
      stdio: ['ignore', fd, fd],
      // The tunnel logs in again when its connection drops, so the login secrets stay; sudo's is never needed.
      env: {...withoutSecrets(process.env, ['TK_SSH_PASSWORD', 'TK_SSH_PASSPHRASE']), TK_TUNNEL_LOG: log},
    })
  } finally {
    closeSync(fd)
  }
  const pid = child.pid!
  let exited: number | null | undefined
  child.once('exit', (code, signal) => {
    exited = code ?? (signal ? 128 : 1)
  })
  child.unref()
  const deadline = Date.now() + (options.timeoutMs ?? 60_000)
  while (Date.now() < deadline) {
    const state = readState(pid)
    if (state) return state
    if (exited !== undefined) break
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  if (exited === undefined) {
    process.kill(pid, 'SIGTERM')
    throw new ConnectionError(`the background tunnel to ${host} did not start within ${(options.timeoutMs ?? 60_000) / 1000} s; stopped it`, {hint: `see ${log}`})
  }
  const lines = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []
  const last = [...lines].reverse().find((line) => line.startsWith('tk: '))
  throw userErrorOf(exited || ExitCode.FAILED, last ? last.slice(4) : `the background tunnel to ${host} exited with code ${exited}`, {hint: last ? undefined : `see ${log}`})
}

export function listTunnels(): TunnelState[] {
  return liveTunnels()
}

export interface StopResult {
  stopped: TunnelState[]
}

/** Stops the recorded tunnels of `host` (all with --all): SIGTERM to each pid checked to be that tunnel. */
export async function stopTunnels(host: string | undefined, options: {timeoutMs?: number} = {}): Promise<StopResult> {
  const matches = liveTunnels().filter((state) => host === undefined || state.host === host || state.endpoint === host || state.socket === host)
  if (matches.length === 0) {
    throw new HostStateError(host ? `no running tunnel to ${host}` : 'no running tunnel', {hint: 'tk tunnel ls lists them'})
  }
  return stopRecorded(matches, options)
}

/**
 * Stops the tunnels to these tk.yml hosts of one project (`tk destroy`: a tunnel to a removed
 * machine would only retry forever and hold every docker call made through it); none is fine.
 */
export async function stopProjectTunnels(hosts: readonly string[], project: string | undefined, options: {timeoutMs?: number} = {}): Promise<TunnelState[]> {
  const matches = liveTunnels().filter((state) => hosts.includes(state.host) && state.project === project)
  return matches.length === 0 ? [] : (await stopRecorded(matches, options)).stopped
}

async function stopRecorded(matches: TunnelState[], options: {timeoutMs?: number}): Promise<StopResult> {
  for (const state of matches) {
    if (isTunnelProcess(state)) process.kill(state.pid, 'SIGTERM')
  }
  const deadline = Date.now() + (options.timeoutMs ?? 10_000)
  while (Date.now() < deadline && matches.some((state) => isTunnelProcess(state))) await new Promise((resolve) => setTimeout(resolve, 50))
  for (const state of matches) {
    if (isTunnelProcess(state)) throw new HostStateError(`tunnel pid ${state.pid} to ${state.host} did not stop within 10 s`)
    removeState(state.pid)
    if (state.socket) await clearStaleSocket(state.socket).catch(() => undefined)
  }
  return {stopped: matches}
}
