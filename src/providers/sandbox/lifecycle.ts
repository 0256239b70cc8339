/**
 * Halt, start and reload for tk.yml's sandbox hosts (Vagrant's halt, up and
 * reload): a machine is stopped and started as it is, so its disk, its host
 * key and its address on the sandbox network stay (the address is pinned at
 * the first stop, see SandboxMachines.stop). Nothing here creates a machine:
 * that is tk up's.
 */
import {join} from 'node:path'

import {ConnectionError} from '../../errors/index.js'
import type {Target} from '../../targets/index.js'
import {allOrFirstFailure, bringUp, checkOwner, connection, openSandbox, plan, type Planned, SANDBOX_LOGIN_USER, type SandboxConnection, type SandboxOptions, withLock} from './fleet.js'
import type {Sandbox} from './index.js'
import {recordNamedHostKey} from './known-hosts.js'

export type LifecycleAction = 'halt' | 'start' | 'reload'

export interface LifecycleResult {
  target: string
  machine: string
  /** What was done: stopped or started it, both (reload), or nothing (already so). */
  change: 'stopped' | 'started' | 'restarted' | 'none'
  /** running, or stopped after a halt. */
  state: 'running' | 'stopped'
  /** Where its sshd answers now, while it runs. */
  ssh?: {host: string; port: number}
}

function notCreated(entry: Planned): ConnectionError {
  return new ConnectionError(`${entry.target.name} is a sandbox machine that does not exist yet; tk up creates it`)
}

async function haltOne(sandbox: Sandbox, entry: Planned, onProgress: SandboxOptions['onProgress']): Promise<LifecycleResult> {
  const machine = await sandbox.machines.find(entry.machine)
  if (!machine || machine.state === 'created') throw notCreated(entry)
  checkOwner(entry, machine)
  const running = machine.state === 'running' || machine.state === 'paused' || machine.state === 'restarting'
  if (running) onProgress?.({target: entry.target.name, message: `stopping machine ${machine.name}`})
  await sandbox.machines.stop(machine.name)
  return {target: entry.target.name, machine: machine.name, change: running ? 'stopped' : 'none', state: 'stopped'}
}

async function startOne(sandbox: Sandbox, entry: Planned, onProgress: SandboxOptions['onProgress']): Promise<SandboxConnection> {
  const machine = await sandbox.machines.find(entry.machine)
  if (!machine || machine.state === 'created') throw notCreated(entry)
  checkOwner(entry, machine)
  const up = await bringUp(sandbox, entry, machine, onProgress)
  return connection(sandbox, entry, up.machine, {created: false, started: up.started})
}

/**
 * Stops (halt), starts (start) or stops then starts (reload) the machines of
 * the sandbox targets, under the sandbox lock; a machine not made yet is an
 * error, other targets are ignored. Started machines answer SSH on return.
 */
export async function sandboxLifecycle(action: LifecycleAction, targets: readonly Target[], options: SandboxOptions = {}): Promise<LifecycleResult[]> {
  const entries = plan(targets, options)
  if (entries.length === 0) return []
  const sandbox = await openSandbox(options.onProgress)
  return withLock(sandbox, options.onProgress, () =>
    allOrFirstFailure(
      entries.map(async (entry): Promise<LifecycleResult> => {
        const halted = action === 'start' ? undefined : await haltOne(sandbox, entry, options.onProgress)
        if (action === 'halt') return halted!
        const up = await startOne(sandbox, entry, options.onProgress)
        const change = action === 'reload' ? 'restarted' : up.started ? 'started' : 'none'
        return {target: entry.target.name, machine: up.machine, change, state: 'running', ssh: {host: up.host, port: up.port}}
      }),
    ),
  )
}

/** How OpenSSH and people reach a sandbox host beside tk: its keys and its address. */
export interface SandboxAccess {
  target: string
  machine: string
  state: 'running' | 'stopped'
  user: typeof SANDBOX_LOGIN_USER
  identityFile: string
  /** The name its host key is pinned under in `knownHostsFile` (OpenSSH's HostKeyAlias): the machine's name. */
  hostKeyAlias: string
  /** A known_hosts file of the sandbox's that pins each machine's key under its machine name. */
  knownHostsFile: string
  /** Its address on the sandbox network (kept across tk halt/start, see SandboxMachines.stop). */
  address?: string
  /** Where its sshd answers on this machine, while it runs (another port after every start). */
  ssh?: {host: string; port: number}
}

/**
 * For existing sandbox hosts: their login, their host key pinned by machine
 * name (written to the sandbox's alias known_hosts) and their address. Never
 * starts or makes a machine; one not made yet is an error.
 */
export async function sandboxAccess(targets: readonly Target[], options: SandboxOptions = {}): Promise<SandboxAccess[]> {
  const entries = plan(targets, options)
  if (entries.length === 0) return []
  const sandbox = await openSandbox(options.onProgress)
  const knownHostsFile = join(sandbox.home.root, 'known_hosts.by-name')
  const identityFile = sandbox.credentials.users[SANDBOX_LOGIN_USER].identityFile
  const found = await Promise.all(
    entries.map(async (entry) => {
      const machine = await sandbox.machines.find(entry.machine)
      if (!machine || machine.state === 'created') throw notCreated(entry)
      checkOwner(entry, machine)
      return {entry, machine}
    }),
  )
  const access: SandboxAccess[] = []
  for (const {entry, machine} of found) {
    await recordNamedHostKey(knownHostsFile, machine.name, machine.hostKey)
    const running = machine.state === 'running' && machine.ssh !== undefined
    // A stopped machine has one when tk stopped it (pinned), none when it went down with the engine.
    const address = (await sandbox.machines.networkAddress(machine))?.ip
    access.push({
      target: entry.target.name,
      machine: machine.name,
      state: running ? 'running' : 'stopped',
      user: SANDBOX_LOGIN_USER,
      identityFile,
      hostKeyAlias: machine.name,
      knownHostsFile,
      ...(address ? {address} : {}),
      ...(running ? {ssh: machine.ssh} : {}),
    })
  }
  return access
}
