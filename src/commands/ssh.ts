import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {TkCommand} from '../cli/base-command.js'
import {exitCodeTable} from '../errors/exit-codes.js'
import {TRANSPORT_ENVIRONMENT, transportFlags, transportOptions} from '../cli/transport-flags.js'

export default class Ssh extends TkCommand {
  static override summary = 'Open an interactive shell on a host.'

  static override description = `A login shell in a pty that follows your terminal's size, over the same transport, host-key policy and credentials as every other tk command. tk exits with the shell's exit code.

As with OpenSSH, the pty is there only when stdin is a terminal: with stdin from a pipe or a file the shell runs without one, reads its commands from stdin, and the session ends when stdin ends (no prompt, no escape codes, stderr kept apart). -t asks for a pty anyway (OpenSSH's -tt), -T for none even on a terminal.

${TRANSPORT_ENVIRONMENT}

Exit codes besides the shell's own:
${exitCodeTable(['USAGE', 'CONNECTION', 'AUTH', 'HOST_KEY'])}`

  static override examples = [
    {description: 'A shell on a server', command: '<%= config.bin %> <%= command.id %> admin@web-1'},
    {description: 'Through an ~/.ssh/config alias, with a strict host-key policy', command: '<%= config.bin %> <%= command.id %> db --host-key-policy strict'},
    {description: 'Run the commands of a local script, without a pty; tk exits with its exit code', command: '<%= config.bin %> <%= command.id %> admin@web-1 < ./check-disk.sh'},
    {description: 'Commands from a file, on a pty all the same (for programs that insist on a terminal)', command: '<%= config.bin %> <%= command.id %> -t admin@web-1 < ./commands.txt'},
  ]

  static override args = {
    host: Args.string({description: 'A tk.yml host, user@host:port, [v6addr]:port or an ~/.ssh/config alias.', required: true}),
  }

  static override flags = {
    tty: Flags.boolean({char: 't', summary: 'Ask for a pty even when stdin is not a terminal (OpenSSH\'s -tt).', exclusive: ['no-tty']}),
    'no-tty': Flags.boolean({char: 'T', summary: 'No pty, even when stdin is a terminal.', exclusive: ['tty']}),
    ...transportFlags,
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Ssh)
    const {openShell} = await import('../exec/shell.js')
    const pty = flags.tty ? true : flags['no-tty'] ? false : undefined
    process.exitCode = await openShell(args.host, {...transportOptions(flags, (message) => this.warn(message)), config: flags.config, pty})
  }
}
