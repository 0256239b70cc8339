/**
 * The sandbox's private Docker engine: a dockerd of its own (own data-root,
 * exec-root, socket and pid file under the sandbox home), started detached
 * with its output in a log file, so it never holds the caller's stdio open
 * and never touches a system engine. It is stopped only by the run that
 * started it, by the pid that run spawned.
 */
import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {closeSync, openSync} from 'node:fs'
import {mkdir, readFile, rm} from 'node:fs/promises'
import {userInfo} from 'node:os'
import {setTimeout as sleep} from 'node:timers/promises'

import Docker from 'dockerode'

import {EnvironmentError} from '../../errors/index.js'
import {hasSystemdCgroupV1, unreachableEngine, userEngineRefusal} from './engine-choice.js'
import type {SandboxHome} from './home.js'
import {checkSandboxRequirements, findProgram} from './requirements.js'

export interface EngineOptions {
  /** How long to wait for a starting engine to answer. */
  startTimeoutMs?: number
}

/** Where dockerd and what it runs (containerd, runc, iptables) are, when the caller's environment has no PATH. */
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
/** The network settings a pull needs behind a proxy (Go reads them, and the CA files, from the environment). */
const NETWORK_VARIABLES = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'SSL_CERT_FILE', 'SSL_CERT_DIR'] as const

/**
 * The environment the sandbox's dockerd starts with: not tk's (which holds
 * its passwords and whatever else the user exported), only what the engine
 * needs — PATH to find containerd and runc, HOME, the proxy settings and
 * CA files — and a locale that keeps its messages plain.
 */
export function engineEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {PATH: env.PATH || DEFAULT_PATH, HOME: env.HOME || '/root', LANG: 'C.UTF-8'}
  for (const name of NETWORK_VARIABLES) if (env[name]) clean[name] = env[name]
  return clean
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function tail(file: string, lines = 5): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim().split('\n').slice(-lines).join('\n')
  } catch {
    return ''
  }
}

export class SandboxEngine {
  private constructor(
    readonly home: SandboxHome,
    readonly docker: Docker,
    /** The pid of the dockerd this process started, if it started one. */
    readonly startedPid: number | undefined,
  ) {}

  get startedHere(): boolean {
    return this.startedPid !== undefined
  }

  /** Connects to the sandbox's engine, starting it when it is not running (the private one only). */
  static async ensure(home: SandboxHome, options: EngineOptions = {}): Promise<SandboxEngine> {
    if (home.choice.kind === 'user') return SandboxEngine.join(home)
    await checkSandboxRequirements()
    const docker = new Docker({socketPath: home.engine.socket})
    if (await answers(docker)) return new SandboxEngine(home, docker, undefined)

    await mkdir(home.engine.dataRoot, {recursive: true, mode: 0o711})
    await mkdir(home.engine.execRoot, {recursive: true, mode: 0o700})
    const timeoutMs = options.startTimeoutMs ?? 60_000

    // A dockerd of this home that is still starting (another tk process):
    // wait for it rather than start a second one on the same data-root.
    const existing = await readPid(home.engine.pidFile)
    if (existing !== undefined && isAlive(existing)) {
      await waitUntilAnswers(docker, timeoutMs, home, () => isAlive(existing))
      return new SandboxEngine(home, docker, undefined)
    }
    await rm(home.engine.pidFile, {force: true})
    await rm(home.engine.socket, {force: true})

    const dockerd = (await findProgram('dockerd'))!
    const log = openSync(home.engine.logFile, 'a')
    let child
    try {
      child = spawn(
        dockerd,
        [
          `--data-root=${home.engine.dataRoot}`,
          `--exec-root=${home.engine.execRoot}`,
          `--host=unix://${home.engine.socket}`,
          `--pidfile=${home.engine.pidFile}`,
          // A default bridge of its own: a system engine may own docker0, and
          // dockerd started with --bridge=none deletes a docker0 it finds
          // (taking the system engine's default network away). Machines join
          // a network the sandbox creates; this bridge only stands empty.
          `--bridge=${await ensureBridge(home)}`,
          // No MASQUERADE rule for that bridge's subnet: the bridge stands empty,
          // and the rule (which dockerd leaves behind when it stops) would rewrite
          // the sources of any other network later given an overlapping subnet.
          // The sandbox's own networks keep theirs (a per-network option).
          '--ip-masq=false',
          '--shutdown-timeout=10',
          '--log-level=warn',
        ],
        {detached: true, stdio: ['ignore', log, log], env: engineEnvironment(process.env)},
      )
    } finally {
      closeSync(log)
    }
    child.unref()
    const pid = child.pid
    if (pid === undefined) throw new EnvironmentError(`could not start ${dockerd}; see ${home.engine.logFile}`)
    let exited = false
    child.on('exit', () => (exited = true))
    child.on('error', () => (exited = true))
    try {
      await waitUntilAnswers(docker, timeoutMs, home, () => !exited)
    } catch (error) {
      if (!exited) process.kill(pid, 'SIGKILL')
      throw error
    }
    return new SandboxEngine(home, docker, pid)
  }

  /**
   * The user's own engine, once it has shown it can run systemd machines;
   * never started or stopped by tk.
   */
  static async join(home: SandboxHome): Promise<SandboxEngine> {
    const choice = home.choice
    if (choice.kind !== 'user') throw new Error('join is for the user\'s engine')
    await checkSandboxRequirements({shared: true})
    const docker = new Docker({socketPath: choice.socket, timeout: 10_000})
    let info: Record<string, unknown>
    try {
      info = await docker.info()
    } catch (error) {
      throw unreachableEngine(choice, error, userInfo().username)
    }
    const refusal = userEngineRefusal(info, hasSystemdCgroupV1())
    if (refusal) {
      throw new EnvironmentError(`sandbox machines cannot run on the Docker engine at ${choice.socket} (${choice.from}): ${refusal}`, {
        hint: 'use a rootful engine (DOCKER_HOST=unix:///PATH), or run tk as root for its private engine',
      })
    }
    // A client without a timeout for the long calls (image imports, container stops).
    return new SandboxEngine(home, new Docker({socketPath: choice.socket}), undefined)
  }

  /**
   * Stops the engine when this process started it (its containers stop with
   * it); leaves an engine that was already running alone.
   */
  async stop(timeoutMs = 30_000): Promise<boolean> {
    const pid = this.startedPid
    if (pid === undefined || !isAlive(pid)) return false
    process.kill(pid, 'SIGTERM')
    const deadline = Date.now() + timeoutMs
    while (isAlive(pid) && Date.now() < deadline) await sleep(100)
    if (isAlive(pid)) process.kill(pid, 'SIGKILL')
    return true
  }
}

/** The name of the engine's own default bridge: one per sandbox home, at most 15 characters (IFNAMSIZ). */
export function bridgeName(home: SandboxHome): string {
  return `tk-${createHash('sha256').update(home.engine.dataRoot).digest('hex').slice(0, 8)}`
}

/**
 * Makes the engine's bridge unless it is there (from an earlier start); dockerd gives it an
 * address. It is kept when the engine stops, as the bridges of the engine's own networks are:
 * dockerd leaves its rules for the bridge's subnet (a MASQUERADE for it) in place when it stops,
 * and the bridge's route is what keeps another network from being given that subnet under them.
 */
async function ensureBridge(home: SandboxHome): Promise<string> {
  const name = bridgeName(home)
  if ((await ip(['link', 'show', name])).code === 0) return name
  const made = await ip(['link', 'add', 'name', name, 'type', 'bridge'])
  if (made.code !== 0 && (await ip(['link', 'show', name])).code !== 0) {
    throw new EnvironmentError(`cannot make the sandbox engine's bridge ${name}: ${made.stderr.trim() || `ip exited ${made.code}`}`, {hint: 'the private engine needs root and iproute2 (Debian package iproute2)'})
  }
  return name
}

async function ip(args: string[]): Promise<{code: number; stderr: string}> {
  const program = (await findProgram('ip')) ?? 'ip'
  return new Promise((resolve) => {
    const child = spawn(program, args, {stdio: ['ignore', 'ignore', 'pipe']})
    let stderr = ''
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', (error) => resolve({code: 127, stderr: error.message}))
    child.on('close', (code) => resolve({code: code ?? 1, stderr}))
  })
}

async function answers(docker: Docker): Promise<boolean> {
  try {
    await docker.ping()
    return true
  } catch {
    return false
  }
}

async function readPid(file: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(file, 'utf8')).trim())
    return Number.isInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

async function waitUntilAnswers(docker: Docker, timeoutMs: number, home: SandboxHome, stillStarting: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await answers(docker)) return
    if (!stillStarting()) {
      // It may have lost a race with another tk starting the same engine.
      await sleep(500)
      if (await answers(docker)) return
      throw new EnvironmentError(`the sandbox's Docker engine exited while starting: ${await tail(home.engine.logFile, 1)}`, {
        hint: `its log is ${home.engine.logFile}`,
      })
    }
    await sleep(100)
  }
  throw new EnvironmentError(`the sandbox's Docker engine did not answer within ${Math.round(timeoutMs / 1000)} s`, {
    hint: `its log is ${home.engine.logFile}`,
  })
}
