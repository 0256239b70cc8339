import * as Args from '@oclif/core/args'

import {TkCommand} from '../cli/base-command.js'
import {exitCodeTable} from '../errors/exit-codes.js'
import {TRANSPORT_ENVIRONMENT, transportFlags, transportOptions} from '../cli/transport-flags.js'

export default class Ssh extends TkCommand {
  static override summary = 'Open an interactive shell on a host.'

  static override description = `A login shell in a pty that follows your terminal's size, over the same transport, host-key policy and credentials as every other tk command. tk exits with the shell's exit code.

${TRANSPORT_ENVIRONMENT}

Exit codes besides the shell's own:
${exitCodeTable(['USAGE', 'CONNECTION', 'AUTH', 'HOST_KEY'])}`

  static override examples = [
    {description: 'A shell on a server', command: '<%= config.bin %> <%= command.id %> admin@web-1'},
    {description: 'Through an ~/.ssh/config alias, with a strict host-key policy', command: '<%= config.bin %> <%= command.id %> db --host-key-policy strict'},
  ]

  static override args = {
    host: Args.string({description: 'A tk.yml host, user@host:port, [v6addr]:port or an ~/.ssh/config alias.', required: true}),
  }

  static override flags = {...transportFlags}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Ssh)
    const {openShell} = await import('../exec/shell.js')
    process.exitCode = await openShell(args.host, {...transportOptions(flags, (message) => this.warn(message)), config: flags.config})
  }
}
