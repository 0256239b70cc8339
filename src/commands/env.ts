import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {TkCommand} from '../cli/base-command.js'
import {exitCodeTable} from '../errors/exit-codes.js'
import {transportFlags, tunnelArgvOf} from '../cli/transport-flags.js'
import {UsageError} from '../errors/index.js'

export default class Env extends TkCommand {
  static override summary = 'Print the shell lines that point a docker client at a host\'s engine.'

  static override description = `DOCKER_HOST is the running tunnel's socket when a tunnel to HOST runs (tk tunnel HOST --detach, or any tk docker HOST call), else ssh://user@host:port, which docker reaches with the system's ssh (so only for hosts OpenSSH itself can log in to, with its own keys and known_hosts). A sandbox host has no ssh:// fallback (the system's ssh has not its key): without a running tunnel it is refused, exit 8.

The shell is taken from $SHELL unless --shell says: bash, zsh and sh get export lines, fish set -gx, PowerShell $Env:. --unset prints the lines that undo it.

Exit codes:
${exitCodeTable(['OK', 'USAGE', 'CONFIG', 'UNSUPPORTED'])}`

  static override examples = [
    {description: 'bash or zsh', command: 'eval "$(<%= config.bin %> <%= command.id %> web-1)"'},
    {description: 'fish', command: '<%= config.bin %> <%= command.id %> web-1 --shell fish | source'},
    {description: 'PowerShell', command: '& <%= config.bin %> <%= command.id %> web-1 --shell powershell | Invoke-Expression'},
    {description: 'Back to the local engine', command: 'eval "$(<%= config.bin %> <%= command.id %> --unset)"'},
  ]

  static override args = {
    host: Args.string({description: 'A tk.yml host, user@host:port or an ~/.ssh/config alias.'}),
  }

  static override flags = {
    shell: Flags.option({options: ['bash', 'zsh', 'sh', 'fish', 'powershell'] as const, summary: 'The shell to print lines for. Default: from $SHELL, else bash.'})(),
    unset: Flags.boolean({summary: 'Print the lines that unset DOCKER_HOST instead.'}),
    config: transportFlags.config,
    'ssh-config': transportFlags['ssh-config'],
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Env)
    const env = await import('../proxy/docker-env.js')
    const shell = flags.shell ?? env.detectShell()
    if (flags.unset) {
      this.log(env.shellLines(shell, {DOCKER_HOST: undefined}).join('\n'))
      return
    }
    if (!args.host) throw new UsageError('say which host: tk env HOST, or tk env --unset')
    const [{selectTargets}, {findConfigFile}] = await Promise.all([import('../fleet/host-connector.js'), import('../config/locate.js')])
    const targets = await selectTargets([args.host], flags.config, {reachOnly: true})
    if (targets.length !== 1) throw new UsageError(`${args.host} names ${targets.length} hosts: tk env points at one`)
    const endpoint = await env.dockerEndpoint(targets[0].name, targets[0], findConfigFile({path: flags.config}), {
      resolve: {sshConfigPath: flags['ssh-config']},
      tunnelArgv: tunnelArgvOf(flags),
      onTunnelStarted: (message) => process.stderr.write(`tk: ${message}\n`),
    })
    const lines = env.shellLines(shell, {DOCKER_HOST: endpoint.url})
    this.log([...lines, env.applyHint(shell, `${this.config.bin} env ${args.host}${flags.shell ? ` --shell ${flags.shell}` : ''}`)].join('\n'))
  }
}
