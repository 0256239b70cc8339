import * as Args from '@oclif/core/args'

import {TkCommand} from '../cli/base-command.js'
import {transportFlags} from '../cli/transport-flags.js'
import {exitCodeTable} from '../errors/exit-codes.js'
import {HostStateError} from '../errors/index.js'

export default class Ip extends TkCommand {
  static override summary = 'Print a host\'s address: where its services answer.'

  static override description = `A sandbox machine: its address on the sandbox network (kept across tk halt, start and reload), where this machine reaches the services it runs (curl http://$(tk ip web-1):8080/); ports tk.yml publishes for it (ports:) answer on 127.0.0.1 too, and tk status shows them. An ssh host: its address as tk.yml gives it.

Exit codes:
${exitCodeTable(['OK', 'FAILED', 'USAGE', 'INPUT', 'CONFIG', 'CONNECTION', 'ENVIRONMENT'])}`

  static override examples = [
    {description: 'A sandbox machine\'s address', command: '<%= config.bin %> <%= command.id %> web-1'},
    {description: 'Its web page from this machine', command: 'curl http://$(<%= config.bin %> <%= command.id %> web-1):8080/'},
  ]

  static override enableJsonFlag = true

  static override args = {
    host: Args.string({description: 'A tk.yml host.', required: true}),
  }

  static override flags = {
    config: transportFlags.config,
  }

  async run(): Promise<{target: string; address: string}> {
    const {args, flags} = await this.parse(Ip)
    const [{selectTargets}, {sandboxAccess}] = await Promise.all([import('../fleet/host-connector.js'), import('../providers/sandbox/lifecycle.js')])
    const [target] = await selectTargets([args.host], flags.config, {reachOnly: true})
    let address = target.address
    if (target.provider === 'sandbox') {
      const [access] = await sandboxAccess([target])
      if (!access.address) throw new HostStateError(`${target.name}: its sandbox machine is stopped and has no address yet`, {hint: `tk start ${target.name}`})
      address = access.address
    }
    this.log(address)
    return {target: target.name, address}
  }
}
