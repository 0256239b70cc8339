/**
 * Halt, start and reload for tk.yml's sandbox hosts (Vagrant's halt, up and
 * reload): a machine is stopped and started as it is, so its disk, its host
 * key and its address on the sandbox network stay (the address is pinned at
 * the first stop, see SandboxMachines.stop). Nothing here creates a machine:
 * that is tk up's.
 */
import {ConnectionError} from '../../errors/index.js'
import type {Target} from '../../targets/index.js'
import {allOrFirstFailure, bringUp, checkOwner, connection, openSandbox, plan, type Planned, type SandboxConnection, type SandboxOptions, withLock} from './fleet.js'
import type {Sandbox} from './index.js'

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
