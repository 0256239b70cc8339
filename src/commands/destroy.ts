import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {TkCommand} from '../cli/base-command.js'
import {exitCodeTable} from '../errors/exit-codes.js'
import {concurrencyFlag, TRANSPORT_ENVIRONMENT, transportFlags, transportOptions} from '../cli/transport-flags.js'
import {finishFleet} from '../cli/fleet-output.js'
import type {DestroyFleetResult, DestroyResult} from '../destroy/index.js'
import {HostStateError, InputError, UsageError} from '../errors/index.js'
import {failureLine} from '../render/fleet.js'
import {makeStyle, useColor} from '../render/style.js'

export default class Destroy extends TkCommand {
  static override summary = 'Remove sandbox machines with their volumes, or the Docker engine from hosts.'

  static override description = `Without HOST: every sandbox host of tk.yml. Sandbox machines are tk's own: each is removed with its volumes (its /var/lib/docker and all) and its line in the sandbox's known_hosts; one already gone is fine. The tunnels to them under this tk.yml (tk docker leaves one running per host) are stopped too. tk up creates them again, empty.

ssh hosts are servers tk does not own: tk destroy refuses them, unless --uninstall-engine, which stops the Docker engine and removes its packages (docker.io, docker-cli, docker-ce*, containerd, runc, Compose) as root with apt-get remove, not purge: the images, containers and volumes (/var/lib/docker, /var/lib/containerd), the config (/etc/docker, the packages' config files) and /var/lib/tk stay, and are listed. The packages stay in dpkg's "rc" state; tk makes the script docker.io leaves for a later purge (/var/lib/docker/nuke-graph-directory.sh) inert, so that apt-get purge docker.io later keeps the data too: delete /var/lib/docker yourself to get rid of it. --uninstall-engine on a sandbox host keeps the machine and removes only its engine.

Destroying cannot be undone: on a terminal tk asks first; elsewhere it needs --yes.

${TRANSPORT_ENVIRONMENT}

Exit codes:
${exitCodeTable(['OK', 'FAILED', 'USAGE', 'INPUT', 'CONFIG', 'CONNECTION', 'AUTH', 'HOST_KEY', 'PRIVILEGE', 'ENVIRONMENT'])}`

  static override examples = [
    {description: 'Remove every sandbox machine of tk.yml', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Remove two sandbox machines without asking', command: '<%= config.bin %> <%= command.id %> web1 db1 --yes'},
    {description: 'Remove the Docker engine from the servers of a group', command: '<%= config.bin %> <%= command.id %> @web --uninstall-engine'},
  ]

  static override enableJsonFlag = true
  static override strict = false

  static override args = {
    host: Args.string({description: 'Hosts: tk.yml names, @groups or user@host:port. Default: every sandbox host of tk.yml.'}),
  }

  static override flags = {
    'uninstall-engine': Flags.boolean({summary: 'Stop the Docker engine and remove its packages, not purge (ssh and sandbox hosts): images, containers, volumes and config stay.'}),
    yes: Flags.boolean({char: 'y', summary: 'Do not ask for confirmation.', env: 'TK_YES'}),
    concurrency: concurrencyFlag('work on'),
    ...transportFlags,
  }

  async run(): Promise<Omit<DestroyFleetResult, 'exitCode' | 'outcomes'>> {
    this.explainInterrupts()
    const {argv, flags} = await this.parse(Destroy)
    const [{selectTargets}, {destroyHosts, planDestroy}] = await Promise.all([import('../fleet/host-connector.js'), import('../destroy/index.js')])
    const args = argv as string[]
    if (args.length === 0 && !(await import('../config/locate.js')).findConfigFile({path: flags.config})) {
      throw new InputError(`no hosts given, and no tk.yml in ${process.cwd()} or any directory above it`, {hint: 'name the hosts, or run in the directory of your tk.yml'})
    }
    let targets = await selectTargets(args.length > 0 ? args : ['@all'], flags.config, {reachOnly: true})
    if (args.length === 0) targets = targets.filter((target) => target.provider === 'sandbox')
    if (targets.length === 0) {
      this.log('nothing to destroy: tk.yml has no sandbox hosts')
      return {hosts: [], summary: {succeeded: 0, failed: 0}}
    }

    const plan = planDestroy(targets, flags['uninstall-engine'])
    if (!flags.yes) {
      if (!process.stdin.isTTY || !process.stderr.isTTY) {
        throw new UsageError('tk destroy cannot be undone and there is no terminal to ask on', {hint: 'add --yes to go ahead'})
      }
      for (const line of plan) process.stderr.write(`  ${line}\n`)
      if (!(await confirm(`Destroy ${targets.length === 1 ? 'this' : `these ${targets.length}`}? [y/N]`))) {
        throw new HostStateError('nothing destroyed')
      }
    }

    const style = makeStyle(useColor())
    const result = await destroyHosts(targets, {
      project: (await import('../config/locate.js')).findConfigFile({path: flags.config}),
      uninstallEngine: flags['uninstall-engine'],
      concurrency: flags.concurrency,
      transport: transportOptions(flags, (message) => this.warn(message)),
      onProgress: (event) => this.logToStderr(style.dim(`${event.target ? `${event.target}: ` : ''}${event.message}`)),
    })

    for (const outcome of result.outcomes) {
      if (outcome.status === 'ok') this.log(resultLine(outcome.target, outcome.value, style))
      else if (outcome.status === 'failed') this.logToStderr(failureLine(outcome.target, outcome.error, style))
    }
    return finishFleet(result)
  }
}

function resultLine(target: string, result: DestroyResult, style: ReturnType<typeof makeStyle>): string {
  switch (result.action) {
    case 'machine-removed':
      return `${style.green('✔')} ${target}: removed sandbox machine ${result.machine} and its volumes${tunnelsLine(result.tunnelsStopped)}`
    case 'machine-absent':
      return `${style.green('✔')} ${target}: no sandbox machine (already gone)${tunnelsLine(result.tunnelsStopped)}`
    default: {
      const removed = result.removed.length > 0 ? `removed ${result.removed.join(', ')}` : 'no engine package was installed'
      const kept = result.kept.length > 0 ? `; data kept: ${result.kept.join(', ')}` : ''
      return `${style.green('✔')} ${target}: ${removed}${kept}`
    }
  }
}

function tunnelsLine(pids: number[] | undefined): string {
  if (!pids || pids.length === 0) return ''
  return `; stopped its tunnel${pids.length === 1 ? '' : 's'} (pid ${pids.join(', ')})`
}

/** Asks a yes/no question on the terminal; only "y" or "yes" is yes. */
async function confirm(question: string): Promise<boolean> {
  const {createInterface} = await import('node:readline/promises')
  const prompt = createInterface({input: process.stdin, output: process.stderr})
  try {
    return /^y(es)?$/i.test((await prompt.question(`${question} `)).trim())
  } finally {
    prompt.close()
  }
}
