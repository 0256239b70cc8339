import * as Args from '@oclif/core/args'

import {TkCommand} from '../cli/base-command.js'
import {transportFlags} from '../cli/transport-flags.js'

export default class SshProxy extends TkCommand {
  static override hidden = true

  static override summary = 'Connect stdin and stdout to a sandbox machine\'s sshd (the ProxyCommand of tk ssh-config).'

  static override description = 'Finds the machine\'s current SSH port (starting it when it is stopped) and relays bytes both ways until either side ends. OpenSSH runs it; it checks nothing itself: ssh verifies the host key.'

  static override examples = [{description: 'As ssh runs it', command: 'ssh -o ProxyCommand="<%= config.bin %> <%= command.id %> --config ./tk.yml web-1" web-1'}]

  static override args = {
    host: Args.string({description: 'A sandbox host of tk.yml.', required: true}),
  }

  static override flags = {
    config: transportFlags.config,
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(SshProxy)
    const [{sandboxTargets}, {reachSandboxHost}, {relayStdio}] = await Promise.all([
      import('../cli/sandbox-lifecycle.js'),
      import('../providers/sandbox/fleet.js'),
      import('../exec/relay.js'),
    ])
    const [target] = await sandboxTargets([args.host], flags.config, 'ssh-proxy')
    const reached = await reachSandboxHost(target, {onProgress: (event) => this.logToStderr(event.message)})
    await relayStdio(reached.host, reached.port)
  }
}
