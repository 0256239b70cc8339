/**
 * What tk halt, tk start and tk reload share: the hosts (tk.yml's sandbox
 * hosts; every one without arguments), the flags, and a line per machine.
 * Each command is this class with its action.
 */
import * as Args from '@oclif/core/args'

import {exitCodeTable} from '../errors/exit-codes.js'
import {InputError, UsageError} from '../errors/index.js'
import type {LifecycleAction, LifecycleResult} from '../providers/sandbox/lifecycle.js'
import type {Target} from '../targets/index.js'
import {TkCommand} from './base-command.js'
import {transportFlags} from './transport-flags.js'
import {makeStyle, useColor} from '../render/style.js'

/**
 * tk.yml's sandbox hosts among `args` (every one when there are none). A
 * named host that is not a sandbox machine is refused: tk does not stop servers it does not own.
 */
export async function sandboxTargets(args: string[], configPath: string | undefined, verb: string): Promise<Target[]> {
  const [{findConfigFile}, {selectTargets}] = await Promise.all([import('../config/locate.js'), import('../fleet/host-connector.js')])
  if (!findConfigFile({path: configPath})) {
    throw new InputError(`no tk.yml in ${process.cwd()} or any directory above it: ${verb} works on its sandbox hosts`, {hint: 'run in the directory of your tk.yml, or pass --config'})
  }
  const targets = await selectTargets(args.length > 0 ? args : ['@all'], configPath, {reachOnly: true})
  const others = targets.filter((target) => target.provider !== 'sandbox')
  if (args.length > 0 && others.length > 0) {
    throw new UsageError(`tk ${verb} works on sandbox machines only; not a sandbox host: ${others.map((target) => target.name).join(', ')}`, {hint: 'tk reboot restarts a server'})
  }
  return targets.filter((target) => target.provider === 'sandbox')
}

const DONE: Record<LifecycleAction, Record<LifecycleResult['change'], string>> = {
  halt: {stopped: 'stopped', none: 'already stopped', started: '', restarted: ''},
  start: {started: 'started', none: 'already running', stopped: '', restarted: ''},
  reload: {restarted: 'restarted', none: 'restarted', stopped: '', started: ''},
}

export abstract class SandboxLifecycleCommand extends TkCommand {
  // One text for tk halt, tk start and tk reload: each is the others' counterpart.
  static override description = `systemd in each machine shuts down cleanly (10 s, then the machine is stopped). Its disk (files, packages, images, /var/lib/docker), its host key and its address on the sandbox network are kept: tk start or tk up starts it again, tk reload does both. A machine already stopped is fine; one not made yet is an error (tk up makes it). Only sandbox hosts: tk does not stop servers.

Exit codes:
${exitCodeTable(['OK', 'FAILED', 'USAGE', 'INPUT', 'CONFIG', 'CONNECTION', 'ENVIRONMENT'])}`

  static override enableJsonFlag = true
  static override strict = false

  static override args = {
    host: Args.string({description: 'Sandbox hosts or @groups of tk.yml. Default: every sandbox host of tk.yml.'}),
  }

  static override flags = {
    config: transportFlags.config,
  }

  protected abstract readonly action: LifecycleAction

  async run(): Promise<{hosts: LifecycleResult[]}> {
    this.explainInterrupts()
    // Spelled out: parse copies only a class's own statics, and these are inherited.
    const ctor = this.constructor as typeof SandboxLifecycleCommand
    const {argv, flags} = await this.parse({args: ctor.args, flags: ctor.flags, baseFlags: ctor.baseFlags, enableJsonFlag: true, strict: false})
    const targets = await sandboxTargets(argv as string[], flags.config, this.action)
    const style = makeStyle(useColor())
    if (targets.length === 0) {
      this.log('nothing to do: tk.yml has no sandbox hosts')
      return {hosts: []}
    }
    const {sandboxLifecycle} = await import('../providers/sandbox/lifecycle.js')
    const {findConfigFile} = await import('../config/locate.js')
    const hosts = await sandboxLifecycle(this.action, targets, {
      project: findConfigFile({path: flags.config}),
      onProgress: (event) => this.logToStderr(style.dim(`${event.target ? `${event.target}: ` : ''}${event.message}`)),
    })
    for (const host of hosts) {
      const ssh = host.ssh ? ` (ssh on ${host.ssh.host}:${host.ssh.port})` : ''
      this.log(`${style.green('✔')} ${host.target}: ${DONE[this.action][host.change]}${ssh}`)
    }
    return {hosts}
  }
}
