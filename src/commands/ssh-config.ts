import * as Args from '@oclif/core/args'

import {TkCommand} from '../cli/base-command.js'
import {transportFlags} from '../cli/transport-flags.js'
import {exitCodeTable} from '../errors/exit-codes.js'
import {InputError} from '../errors/index.js'

export default class SshConfig extends TkCommand {
  static override summary = 'Print OpenSSH Host blocks for tk.yml\'s hosts, for ssh, scp, rsync and Ansible.'

  static override description = `One Host block per host, named as in tk.yml, with the login tk uses and the host keys tk pinned, checked strictly (StrictHostKeyChecking yes).

ssh hosts: HostName, Port, User and IdentityFile as tk.yml gives them (what it leaves out comes from ~/.ssh/config, as for tk), and $TK_KNOWN_HOSTS as UserKnownHostsFile when set.

Sandbox machines: their SSH port on 127.0.0.1 changes on every start, so the block connects through tk (a ProxyCommand running tk ssh-proxy, which finds the current port and starts a stopped machine); the block keeps working across tk halt, start and reload. The machine's key is pinned under its machine name (HostKeyAlias) in the sandbox's known_hosts.by-name. A machine must exist (tk up makes it).

Use it as a file, or include it from ~/.ssh/config:
  tk ssh-config > ~/.ssh/tk.conf     and in ~/.ssh/config:  Include ~/.ssh/tk.conf

Exit codes:
${exitCodeTable(['OK', 'USAGE', 'INPUT', 'CONFIG', 'CONNECTION', 'FAILED', 'ENVIRONMENT'])}`

  static override examples = [
    {description: 'Every host of tk.yml', command: '<%= config.bin %> <%= command.id %> > tk.ssh_config'},
    {description: 'Then scp through it', command: 'scp -F tk.ssh_config ./app.env web-1:/tmp/'},
    {description: 'One host, straight into ssh (bash)', command: 'ssh -F <(<%= config.bin %> <%= command.id %> web-1) web-1'},
  ]

  static override strict = false

  static override args = {
    host: Args.string({description: 'tk.yml hosts or @groups. Default: every host of tk.yml.'}),
  }

  static override flags = {
    config: transportFlags.config,
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(SshConfig)
    const [{findConfigFile}, {selectTargets}, {sandboxAccess}, {renderSshConfig, sandboxEntry, sandboxEnvironment, sshHostEntry}, {resolve}] = await Promise.all([
      import('../config/locate.js'),
      import('../fleet/host-connector.js'),
      import('../providers/sandbox/lifecycle.js'),
      import('../exec/ssh-config.js'),
      import('node:path'),
    ])
    const configFile = findConfigFile({path: flags.config})
    if (!configFile) throw new InputError(`no tk.yml in ${process.cwd()} or any directory above it`, {hint: 'run in the directory of your tk.yml, or pass --config'})
    const args = argv as string[]
    const targets = (await selectTargets(args.length > 0 ? args : ['@all'], configFile, {reachOnly: true})).filter((target) => !target.raw)
    const access = new Map((await sandboxAccess(targets)).map((each) => [each.target, each]))
    const tk = {
      node: process.execPath,
      bin: resolve(this.config.root, 'bin', 'run.js'),
      configFile: resolve(configFile),
      env: sandboxEnvironment(process.env),
    }
    const entries = targets.map((target) => (target.provider === 'sandbox' ? sandboxEntry(access.get(target.name)!, tk) : sshHostEntry(target, process.env.TK_KNOWN_HOSTS || undefined)))
    process.stdout.write(renderSshConfig(entries))
  }
}
